"""Phrase bank for the demo reading club (读书会): books, templates, slots and nicknames.

Every message is a template filled from slot pools, so that ~50k generated messages read
like a real group instead of a loop of the same lines. Nothing here draws from the global
``random``: callers pass their own seeded ``random.Random``.
"""

from __future__ import annotations

import bisect
import itertools
import random
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# --------------------------------------------------------------------------- books


@dataclass(frozen=True)
class Book:
    title: str
    author: str
    genre: str
    themes: tuple[str, ...]
    popularity: float = 1.0


def _words(text: str) -> tuple[str, ...]:
    """Whitespace-separated words; keeps long vocabulary lists readable."""
    return tuple(text.split())


GENRES: tuple[str, ...] = ("历史", "科幻", "哲学", "经济", "文学", "心理")


def _books(genre: str, rows: Sequence[tuple[str, str, str, float]]) -> list[Book]:
    return [Book(t, a, genre, tuple(th.split("|")), p) for t, a, th, p in rows]


BOOKS: tuple[Book, ...] = tuple(
    _books("历史", [
        ("人类简史", "尤瓦尔·赫拉利", "认知革命|农业革命|虚构的故事|货币和帝国|智人与尼人", 3),
        ("万历十五年", "黄仁宇", "张居正|海瑞|申时行|数目字管理|文官集团", 2),
        ("明朝那些事儿", "当年明月", "朱元璋|王阳明|于谦|土木堡之变|张居正改革", 2.5),
        ("枪炮、病菌与钢铁", "贾雷德·戴蒙德", "地理决定论|驯化动物|病菌的作用|欧亚大陆的轴线", 1.5),
        ("中国大历史", "黄仁宇", "大历史观|财政制度|唐宋变革", 1),
        ("乡土中国", "费孝通", "差序格局|礼治秩序|熟人社会|无讼", 1.5),
        ("史记", "司马迁", "项羽本纪|刺客列传|货殖列传|太史公自序", 1),
        ("丝绸之路", "彼得·弗兰科潘", "东西方贸易|草原帝国|宗教的传播", 1),
        ("天朝的崩溃", "茅海建", "鸦片战争|清军的战力|林则徐的困境", 0.7),
        ("叫魂", "孔飞力", "乾隆的权力|官僚体制|集体恐慌", 0.7),
    ])
    + _books("科幻", [
        ("三体", "刘慈欣", "黑暗森林|猜疑链|面壁者|降维打击|程心的选择|三体游戏", 3.5),
        ("球状闪电", "刘慈欣", "宏原子|林云|量子态", 1),
        ("流浪地球", "刘慈欣", "行星发动机|地下城|太阳氦闪", 1.2),
        ("基地", "艾萨克·阿西莫夫", "心理史学|谢顿危机|骡的出现", 1.2),
        ("沙丘", "弗兰克·赫伯特", "香料|弗雷曼人|保罗的预知", 1.2),
        ("你一生的故事", "特德·姜", "七肢桶的语言|决定论与自由意志|巴比伦塔", 1),
        ("银河系漫游指南", "道格拉斯·亚当斯", "答案是42|随身带毛巾|超级电脑深思", 0.8),
        ("海伯利安", "丹·西蒙斯", "伯劳|朝圣者的故事|时间墓冢", 0.6),
        ("北京折叠", "郝景芳", "三个空间|阶层流动|老刀送信", 0.8),
        ("神经漫游者", "威廉·吉布森", "赛博空间|人工智能|黑客凯斯", 0.5),
    ])
    + _books("哲学", [
        ("苏菲的世界", "乔斯坦·贾德", "你是谁|世界从哪里来|故事套故事的结构", 2),
        ("理想国", "柏拉图", "洞穴隐喻|哲人王|什么是正义", 1),
        ("西西弗神话", "阿尔贝·加缪", "荒诞|反抗|推石头的幸福", 1),
        ("沉思录", "马可·奥勒留", "控制二分法|接受命运|斯多葛的自律", 1.2),
        ("道德经", "老子", "无为|上善若水|道可道非常道", 1.2),
        ("论语", "孔子及其弟子", "仁|君子和小人|学而时习之", 1),
        ("查拉图斯特拉如是说", "尼采", "超人|永恒轮回|上帝已死", 0.7),
        ("存在主义是一种人道主义", "让-保罗·萨特", "存在先于本质|自由选择|他人即地狱", 0.6),
        ("哲学家们都干了些什么", "林欣浩", "经验主义|理性主义|怀疑论", 1),
        ("人生的智慧", "叔本华", "幸福在于自身|孤独|欲望与痛苦", 0.8),
    ])
    + _books("经济", [
        ("国富论", "亚当·斯密", "看不见的手|分工|自由贸易", 1),
        ("贫穷的本质", "阿比吉特·班纳吉", "贫困陷阱|小额信贷|随机对照实验", 1),
        ("经济学原理", "曼昆", "机会成本|边际思维|供给与需求", 1),
        ("置身事内", "兰小欢", "土地财政|地方政府融资|招商引资", 1.5),
        ("21世纪资本论", "托马斯·皮凯蒂", "r大于g|财富不平等|遗产的作用", 0.7),
        ("原则", "瑞·达利欧", "极度透明|痛苦加反思等于进步|把公司当机器", 1.2),
        ("牛奶可乐经济学", "罗伯特·弗兰克", "牛奶为什么装方盒|生活里的经济学", 0.8),
        ("穷查理宝典", "查理·芒格", "多元思维模型|逆向思维|能力圈", 1.2),
        ("小岛经济学", "彼得·希夫", "储蓄与投资|通货膨胀|鱼和渔网", 0.8),
        ("金钱心理学", "摩根·豪泽尔", "复利|运气与风险|够了就好", 0.9),
    ])
    + _books("文学", [
        ("百年孤独", "加西亚·马尔克斯",
         "马孔多|布恩迪亚家族|孤独的轮回|那个著名的开头|重复的名字", 3),
        ("活着", "余华", "福贵|家珍|那头老牛|苦难与坚韧|有庆", 3.5),
        ("围城", "钱钟书", "方鸿渐|婚姻像围城|三闾大学|那些比喻", 2.5),
        ("平凡的世界", "路遥", "孙少平|孙少安|田晓霞|双水村|煤矿的日子", 3),
        ("红楼梦", "曹雪芹", "宝黛|大观园|判词|王熙凤", 2),
        ("追风筝的人", "卡勒德·胡赛尼", "为你千千万万遍|救赎|阿米尔和哈桑", 1.5),
        ("月亮与六便士", "毛姆", "思特里克兰德|理想与现实|塔希提", 1.8),
        ("边城", "沈从文", "翠翠|湘西风情|渡船", 1),
        ("白鹿原", "陈忠实", "白嘉轩|田小娥|宗族", 1),
        ("挪威的森林", "村上春树", "直子|绿子|青春的孤独", 1.2),
        ("1984", "乔治·奥威尔", "老大哥|新话|双重思想", 1.2),
        ("人间失格", "太宰治", "大庭叶藏|讨好型人格", 1),
        ("额尔古纳河右岸", "迟子建", "鄂温克人|驯鹿|萨满", 0.8),
        ("许三观卖血记", "余华", "卖血|一乐|许玉兰", 0.8),
        ("杀死一只知更鸟", "哈珀·李", "阿蒂克斯|偏见|孩子的视角", 0.8),
        ("呐喊", "鲁迅", "狂人日记|阿Q|孔乙己", 1),
    ])
    + _books("心理", [
        ("思考，快与慢", "丹尼尔·卡尼曼", "系统1和系统2|锚定效应|损失厌恶|峰终定律", 2),
        ("被讨厌的勇气", "岸见一郎", "课题分离|目的论|共同体感觉", 2),
        ("自卑与超越", "阿尔弗雷德·阿德勒", "自卑感|早期记忆|生活风格", 1),
        ("乌合之众", "古斯塔夫·勒庞", "群体心理|暗示与传染", 1.2),
        ("影响力", "罗伯特·西奥迪尼", "互惠|社会认同|稀缺", 1.2),
        ("少有人走的路", "M·斯科特·派克", "自律|延迟满足|爱的定义", 1.2),
        ("心流", "米哈里·契克森米哈赖", "心流体验|注意力|最优体验", 0.9),
        ("蛤蟆先生去看心理医生", "罗伯特·戴博德", "儿童自我状态|人生坐标|情绪的来源", 1.5),
        ("非暴力沟通", "马歇尔·卢森堡", "观察和评论|感受和需要|请求", 1.2),
        ("原生家庭", "苏珊·福沃德", "有毒的父母|边界感", 0.8),
    ])
)

# --------------------------------------------------------------------------- slot pools

CITIES: tuple[str, ...] = _words(
    "北京 上海 广州 深圳 杭州 成都 武汉 南京 西安 重庆 长沙 苏州 厦门 青岛 天津 郑州 合肥 "
    "昆明 大连 沈阳 济南 福州 宁波 无锡 哈尔滨 南昌 贵阳 兰州 石家庄 佛山 东莞 珠海 温州 "
    "洛阳 海口 太原 南宁 呼和浩特 乌鲁木齐 长春 扬州 桂林 绍兴 烟台 徐州"
)

JOBS: tuple[str, ...] = _words(
    "产品经理 程序员 中学语文老师 小学老师 会计 护士 医生 设计师 全职妈妈 大学生 研究生 "
    "公务员 销售 HR 律师 编辑 记者 自由职业 退休教师 工程师 外贸 新媒体运营 咨询顾问 "
    "银行职员 摄影师 创业者 图书管理员 翻译 心理咨询师 健身教练 药剂师 建筑师 财务 "
    "客服 厨师 博士在读 高三学生家长 数据分析师 保险顾问"
)

HOBBIES: tuple[str, ...] = _words(
    "跑步 摄影 做饭 旅行 书法 爬山 追剧 弹吉他 画画 瑜伽 徒步 看展 喝茶 烘焙 骑行 "
    "听播客 下围棋 写字 养猫 露营"
)

EMOJI: tuple[str, ...] = _words(
    "😂 👍 🙏 ❤️ 📚 🤔 😄 🎉 💪 🌹 ☀️ 🌙 😭 🤣 👏 ✨ ☕ 😊 🥰 😮‍💨 🌸 🍵"
)

PRODUCTS: tuple[str, ...] = _words(
    "酵素 减肥茶 补水面膜 即食燕窝 阿胶糕 玛咖片 明前龙井 代餐奶昔 益生菌 护肝片 "
    "洗衣凝珠 土蜂蜜 手工皂 防脱洗发水 氨基酸牙膏"
)

SKILLS: tuple[str, ...] = _words(
    "写作 翻译 平面设计 编程 摄影 朗读 主持 做PPT 剪视频 英语 书法 心理咨询 理财 法律咨询 "
    "活动策划 讲故事 画思维导图 速读"
)

NEEDS: tuple[str, ...] = _words(
    "找书友 提升写作 求职内推 学英语 育儿经验 时间管理 找对象 考研资料 转行建议 "
    "线下读书会 戒手机 找搭子跑步 职场沟通"
)

PLATFORMS: tuple[str, ...] = ("京东", "淘宝", "拼多多", "美团", "饿了么", "抖音", "快手")

_ALNUM = string.ascii_letters + string.digits


# --------------------------------------------------------------------------- templates

QUESTIONS: tuple[str, ...] = (
    "大家读{book}的时候，对{theme}这部分怎么理解？",
    "有没有人读过{book}？值得入手吗",
    "{book}读到{chapter}有点读不下去了，后面会好看点吗",
    "请教一下，{book}哪个译本/版本比较好？",
    "想问下{book}和{other_book}先读哪本比较好",
    "第一次读{author}的书，从{book}开始合适吗？",
    "{book}里{theme}那段，我怎么看都没太明白，有人能讲讲吗",
    "{book}适合给初中生看吗？想给孩子买一本",
    "读{book}需要先补什么背景知识吗？",
    "有人知道{book}有没有好一点的有声书？通勤想听",
    "{book}纸质版和电子版哪个体验好一点？",
    "为什么那么多人说{book}是神作？我读了一半没什么感觉😂",
    "{book}里你们最喜欢哪个人物？为什么",
    "大家读{book}这种书会做笔记吗？一般怎么做",
    "{author}还有哪些作品值得读？",
    "问个可能很小白的问题：{theme}到底指的是什么？",
    "{book}的结尾你们怎么看？我有点没想通",
)

RECOMMEND_REQUESTS: tuple[str, ...] = (
    "最近书荒了，求推荐几本像{book}这样的书🙏",
    "想读点{genre}方面的书，有什么入门推荐吗",
    "有没有适合睡前读的书？太烧脑的不要😂",
    "求推荐适合地铁上碎片时间读的书",
    "想送朋友一本书，她很喜欢{book}，还能送什么",
    "假期想啃一本大部头，大家有推荐吗",
    "有没有读完让你久久不能平静的书？求推荐",
    "想给{n}岁的孩子找几本书，家长们有推荐吗",
    "读完{book}意犹未尽，还有类似的吗？",
)

REVIEW_LEADS: tuple[str, ...] = (
    "刚读完{book}，", "终于把{book}啃完了，", "昨晚熬夜看完{book}，", "{book}二刷了，",
    "周末读完了{book}，", "花了两周读完{book}，", "听完了{book}的有声书，",
    "{book}读完了，说点感受：", "今天在高铁上把{book}读完了，",
)
REVIEW_BODIES: tuple[str, ...] = (
    "{author}写{theme}真的太厉害了", "最打动我的是{theme}那部分",
    "前半本有点慢，从{theme}开始就停不下来了", "感觉{theme}这一块讲得特别透",
    "印象最深的是{theme}，看完沉默了很久",
    "比{other_book}好读多了，尤其是{theme}", "对{theme}有了完全不同的理解",
    "{theme}那段反复看了三遍", "说实话一开始冲着{theme}去的，结果被别的部分打动了",
    "{author}的文字比我想的朴素，但{theme}那里后劲很足",
)
#: lukewarm verdicts carry their own endings, so a review never pans and then raves
MIXED_REVIEWS: tuple[str, ...] = (
    "没有想象中好看，{theme}写得有点散，可能是期待太高了。",
    "中规中矩吧，{theme}有点拖沓，三星。",
    "读得有点累，{theme}那部分跳着看的，见仁见智吧。",
    "说实话没太读懂，{theme}那里还得再琢磨琢磨🤔",
)
REVIEW_TAILS: tuple[str, ...] = (
    "，推荐大家都读一读。", "。五星推荐⭐⭐⭐⭐⭐", "，给四星吧。", "，后劲很大。",
    "，有点想二刷。", "。", "，强烈安利！", "，不过结尾有点仓促。",
    "，豆瓣高分不是没道理的。", " {emoji}", "，读书会的朋友可以排进书单。",
)

PROGRESS: tuple[str, ...] = (
    "{book}读到{chapter}了，{theme}这里开始有意思了",
    "今天通勤路上读了{pages}页{book}",
    "{book}进度{percent}%，争取这周读完",
    "{book}终于读过半了💪",
    "最近在读{book}，节奏有点慢，一天也就{pages}页",
    "今天只读了{pages}页，加班太累了😮‍💨",
    "午休读了会儿{book}，{theme}这段写得真好",
    "这周给自己定个小目标：把{book}读完",
    "{book}读了{percent}%，人物关系有点乱，画了张图才理清",
)

CHECKINS: tuple[str, ...] = (
    "#打卡 第{day}天 今天读了{book}{pages}页",
    "#打卡 第{day}天 {book} {chapter}，{pages}页",
    "#打卡 第{day}天\n📖{book}\n📄{pages}页\n💡{theme}这段值得再读",
    "#打卡 Day{day} {book} 读了{pages}页，感觉状态回来了",
    "#打卡 第{day}天 今天状态一般，只读了{pages}页{book}",
    "#打卡 第{day}天 {book}读到{chapter}，摘抄一句放在笔记里了",
)

DISCUSSION_OPENERS: tuple[str, ...] = (
    "聊聊{book}：我觉得{theme}放在今天一样成立，大家怎么看？",
    "今天想和大家讨论一个问题：{theme}，你们认同{author}的观点吗？",
    "读{book}有个感受，{theme}其实在生活里到处都是",
    "突然想到，{book}里的{theme}和{other_book}好像能对照着看",
    "今晚有空的朋友一起聊聊{book}吧，我先抛个话题：{theme}",
)

SPECIALITY_OPENERS: dict[str, tuple[str, ...]] = {
    "历史": (
        "从{book}的{theme}看，很多历史转折其实是制度问题，不是某一个人的问题。大家怎么看？",
        "今天分享一下{book}里{theme}这段背后的历史背景，有兴趣的一起聊",
        "读史有个习惯，看到{theme}就会去翻原始材料，{book}这一段和正史记载有些出入",
        "推荐把{book}和{other_book}对照着读，{theme}这块两本书的角度完全不同",
        "历史小话题：如果没有{theme}，后来的事情会怎样？",
    ),
    "科幻": (
        "科幻迷集合🚀 {book}里的{theme}，你们觉得现实中可能发生吗？",
        "重读{book}，{theme}的设定放到今天依然很超前",
        "{author}的想象力真的绝了，{theme}这个点子能单独写一本书",
        "科幻小讨论：{theme}在物理上站得住吗？我查了点资料",
        "如果让你选，{book}里的{theme}和现实哪个更可怕？",
    ),
    "哲学": (
        "{book}里的{theme}，我的理解是先接受再反抗，不一定对，欢迎拍砖",
        "今天被一个问题困扰了一天：人到底能不能真正选择？读{book}讲{theme}时想到的",
        "分享一段{book}的摘抄，关于{theme}，每次读都有新感受",
        "哲学角落🤔：{author}说的{theme}，放在996的生活里还成立吗？",
        "{theme}这个概念很多人理解反了，结合{book}原文说说我的看法",
    ),
    "经济": (
        "用{book}里的{theme}解释一下最近的消费降级，挺有意思的",
        "{theme}这个概念大家工作中用得上吗？读{book}时我想到了公司的事",
        "经济学小话题：{theme}，其实每天买菜都在用",
        "推荐{book}，{theme}讲得比教科书清楚多了，有问题可以问我",
        "看了最近的新闻，又想起{book}里讲的{theme}，大家怎么看？",
    ),
    "文学": (
        "{book}里{theme}的写法，你们注意到了吗？{author}的文字太细腻了",
        "文学夜话📖 今晚聊聊{book}，最打动你的是哪一段？我先来：{theme}",
        "又一次读{book}，每次到{theme}这里都会停下来",
        "有没有人和我一样，读{book}读到{theme}的时候哭了",
        "对比一下{book}和{other_book}的开头，{author}真的是一句话定调",
    ),
    "心理": (
        "心理学小知识：{theme}，读{book}之后发现自己天天中招😂",
        "{book}提到的{theme}，大家在生活里有类似经历吗？",
        "最近情绪有点低，重读{book}，{theme}这部分给了我很大安慰",
        "用{theme}解释一下为什么我们总是拖延，{book}里有一段特别准",
        "亲子关系里的{theme}，{book}说得很透，家长们可以看看",
    ),
}

ANSWERS: tuple[str, ...] = (
    "我读过，{theme}那段其实是在讲人的处境，建议结合{author}的经历看",
    "个人觉得值得，尤其是{theme}部分",
    "坚持读下去，{chapter}之后会好很多",
    "推荐找新版，老版的翻译有点拗口",
    "可以先读{other_book}再读这本，会更容易理解",
    "我也卡在那里过，后来跳过去了，不影响后面",
    "可以先看看豆瓣上的书评，再回头读会清楚一些",
    "这个我有不同看法，{theme}不完全是作者想表达的重点",
    "{theme}我理解是一种隐喻，不用太较真细节",
    "同问，也没看懂🤣",
    "我是听的有声书，感觉比自己读更好入门",
    "初中生可以读，不过{theme}部分可能需要家长引导一下",
    "我当时做了思维导图，回头发群里",
    "微信读书上有，可以先试读几章",
    "我的理解：{theme}是全书的钥匙，前面都是铺垫",
    "{author}在访谈里说过，{theme}是故意写得模糊的",
    "不用背景知识，直接读就行，遇到不懂的再查",
    "我觉得是值得的，不过要有耐心，前{n}章比较慢",
)

RECOMMEND_ANSWERS: tuple[str, ...] = (
    "推荐{book}，{author}写的，{theme}那部分很精彩",
    "{book}！看完一直在想{theme}",
    "可以试试{book}，不烧脑，很好读",
    "强推{book}和{other_book}",
    "去年读过最好的是{book}，没有之一",
    "{book}+1，我也推荐",
    "试试{author}的{book}？篇幅不长，一个周末能读完",
    "我会推荐{book}，读完对{theme}印象特别深",
)

DISCUSS: tuple[str, ...] = (
    "同意，{theme}确实是关键",
    "我倒觉得没那么简单，{author}其实留了很多余地",
    "说得好！补充一点：{theme}和当时的社会环境也有关系",
    "这个角度没想过，学到了",
    "我读的时候也有同感，尤其是{theme}",
    "有点不同意，{book}后面有一段恰恰是反过来的",
    "可以和{other_book}一起看，很有启发",
    "哈哈这个比喻太贴切了",
    "所以说读书还是要结合自己的经历",
    "这段我划线了，原文写得更好",
    "嗯嗯，{theme}放在现在也适用",
    "我刚翻了一下书，{chapter}那里确实是这么写的",
    "我觉得{author}是在借{theme}讲别的事",
    "想起我在{city}工作时遇到的事，跟{theme}一模一样",
    "你这么一说我想重读{book}了",
    "所以{theme}到底是命运还是选择？这个问题我想了很久",
)

SHORT_REPLIES: tuple[str, ...] = (
    "哈哈哈", "哈哈哈哈哈", "同意", "+1", "👍", "赞", "学习了", "收到", "是的", "有道理",
    "确实", "对对对", "好的好的", "666", "妙啊", "真的", "我也是", "同感", "绝了", "厉害了",
    "马住", "mark一下", "收藏了", "码住慢慢看", "👍👍👍", "太真实了", "哈哈 笑死", "好问题",
    "顶", "插个眼", "😂😂", "啊这", "哇", "可以可以", "说得太好了", "嗯嗯", "懂了",
    "我也想知道", "蹲一个答案", "正在读", "想读+1", "加入书单了", "已下单", "是这样的",
    "有意思", "长知识了", "赞同", "🙏🙏", "在的", "哈哈", "get", "同上", "收藏收藏",
)

THANKS: tuple[str, ...] = (
    "谢谢{name}！", "感谢推荐🙏", "谢谢大家，已加入书单", "多谢多谢", "收到，谢谢！",
    "感谢解答，豁然开朗", "好的，谢谢～", "谢谢分享❤️", "谢谢，我去找来看看",
    "明白了，谢谢{name}", "太感谢了，这就去读",
)

CHEERS: tuple[str, ...] = (
    "坚持住💪", "打卡+1", "太自律了", "向你学习", "👍 继续加油", "我今天也读了{pages}页",
    "每天都能看到你打卡，佩服", "加油加油", "今天我偷懒了😂", "自律的人最可爱",
)

GREETINGS: tuple[str, ...] = (
    "早上好☀️", "大家早安", "早～今天也要好好读书", "晚上好，今晚读什么？", "周末愉快！",
    "好久没冒泡了，大家好", "晚安，明天见🌙", "午安，吃饭时间刷一会儿书",
    "下雨天最适合读书了", "{city}今天好冷，窝在家里读书", "早安，通勤路上打开了{book}",
)

GREET_BACKS: tuple[str, ...] = (
    "早！", "早安☀️", "早上好", "晚安🌙", "周末愉快～", "你也早", "晚上好", "早呀",
    "{city}也在下雨", "午安",
)

JOKES: tuple[str, ...] = (
    "我的书架：买过=读过😂",
    "买书如山倒，读书如抽丝",
    "每次说要早睡读书，最后都在刷手机🤣",
    "读书会的人都在群里聊天，没人在读书哈哈",
    "书买回来的那一刻，心理上已经读完一半了",
    "{book}买了三年，塑封还没拆",
    "我读{book}的速度：一页一页又一页，然后睡着了",
    "双十一又囤了{n}本书，今年读得完吗😂",
    "给自己定的年度目标是{n}本，现在读了两本半",
    "地铁上读{book}，坐过站了🤦",
)

LAUGHS: tuple[str, ...] = (
    "哈哈哈哈真实", "笑死，说的就是我", "😂😂😂", "扎心了", "哈哈哈我也是", "太真实了哈哈",
    "我书架上也有一排没拆的", "+1，我也坐过站",
)

SELF_INTROS: tuple[str, ...] = (
    "大家好，我是{name}\n🏙城市：{city}\n💼职业：{job}\n📚最近在读：{book}\n希望和大家一起多读书～",
    "【自我介绍】\n昵称：{name}\n城市：{city}\n职业：{job}\n最近在读：{book}\n爱好：{hobby}",
    "大家好！新人报到🙋 {city}的{job}，最近在读{book}，请多关照",
    "破冰：昵称{name}｜坐标{city}｜{job}｜在读{book}｜目标每月读两本书",
    "hello～我是{name}，在{city}做{job}，喜欢{genre}类的书，最近在啃{book}",
    "新人报到\n昵称：{name}\n城市：{city}\n职业：{job}\n最近在读：{book}\n想认识更多爱读书的朋友",
    "各位好，{name}，{city}人，{job}。平时喜欢{hobby}和读书，最近在读{book}",
)

WELCOMES: tuple[str, ...] = (
    "欢迎{mention}加入书香读书会🎉 请先看群公告，按格式做个自我介绍哦～",
    "欢迎新朋友{mention}！入群请改群昵称：城市-职业-昵称",
    "热烈欢迎{mention}👏👏 有什么想读的书可以在群里说",
    "欢迎欢迎！{mention}本月共读书目是{book}，一起来打卡呀",
    "欢迎{mention}～自我介绍模板：昵称/城市/职业/最近在读",
)

WELCOME_REPLIES: tuple[str, ...] = (
    "欢迎欢迎👏", "欢迎新朋友～", "欢迎！{city}的朋友在这里🙋", "欢迎，{book}我也在读",
    "欢迎加入，一起读书📚", "欢迎～", "欢迎欢迎，{job}同行", "欢迎！有空一起打卡",
)

ANNOUNCEMENT = (
    "@所有人 群公告：\n欢迎来到{group}！\n"
    "1. 入群请改昵称：城市-职业-昵称\n"
    "2. 新人请做自我介绍（昵称/城市/职业/最近在读）\n"
    "3. 每晚21:00-23:00打卡，格式：#打卡 第N天 书名 页数\n"
    "4. 禁止发广告、链接、小程序，违者移出\n"
    "5. 23:00-7:00请勿刷屏\n"
    "本月共读：{book}"
)

MANAGER_NOTICES: tuple[str, ...] = (
    "本周六晚8点线上分享会，主题：{book}，欢迎大家来听，提前准备问题哦",
    "本月共读书目：{book}，{author}著，大家一起打卡",
    "提醒一下：群里禁止发广告和链接，已移出一位",
    "21天打卡挑战明天开始，想参加的在群里接龙👇",
    "上周分享会的回放和笔记已经整理好了，需要的找我要",
    "下个月共读书目投票：{book} / {other_book}，大家回复序号",
    "周末{city}线下读书沙龙还有{n}个名额，想来的私聊我",
    "感谢大家这个月的打卡，坚持满21天的朋友下周发书签🔖",
)

COLLABORATOR_POSTS: tuple[str, ...] = (
    "出版社福利🎁 {book}新版送{n}本，想要的在群里接龙，周五抽",
    "我们社刚出了{author}的新译本，群友可以找我领八折码",
    "下周和{city}的另一个读书会联合办线上共读{book}，欢迎大家来串门",
)

ANTI_AD: tuple[str, ...] = (
    "群主管管吧，天天都是广告", "又来刷单的，大家别信", "举报了", "有人发广告，管理员看一下",
    "这群快变成广告群了", "能不能把发广告的踢了😤", "半夜刷屏的能不能处理一下",
    "早上起来99+，全是广告…", "砍一刀的能不能别发了", "广告太多了，考虑退群了",
)

DEAD_GROUP: tuple[str, ...] = (
    "有人吗", "有人吗？", "还有人吗", "这群是不是没人了", "好久没人说话了…", "大家都去哪了",
    "冒个泡，还有活人吗😂", "还有人在读书吗", "群里好安静",
)

RED_ENVELOPES: tuple[str, ...] = (
    "[红包]恭喜发财，大吉大利", "[红包]恭喜发财，大吉大利", "[红包]新年快乐", "[红包]周末愉快",
    "[红包]大家好", "[红包]冒个泡", "[红包]欢迎新朋友", "[红包]读书快乐",
)

FILES: tuple[str, ...] = (
    "[文件] 《{title}》读书笔记.pdf", "[文件] {title}思维导图.xmind",
    "[文件] {month}月共读书单.xlsx",
    "[文件] 分享会PPT-{title}.pptx", "[文件] {title}摘抄.docx", "[文件] 读书笔记.pdf",
)

ARTICLE_LINKS: tuple[str, ...] = (
    "[链接] {book}：{theme}｜深度解读 https://mp.weixin.qq.com/s/{code}",
    "[链接] 豆瓣书评｜读{book}，想到{theme} https://book.douban.com/review/{digits}/",
    "[链接] {author}专访：关于{theme} https://mp.weixin.qq.com/s/{code}",
)

TEXT_ADS: tuple[str, ...] = (
    "【兼职】在家手机刷单，一单{price}元，日结，宝妈学生党优先，加V：{wx}",
    "招聘打字员，时间自由，日赚300+，有意者加微信{wx}",
    "本人做{product}代理，正品保证，需要的私聊或加V：{wx}",
    "免费领取{book}等500本电子书全集，加V：{wx} 备注读书",
    "低价出售各大平台会员，爱奇艺/腾讯/网易云，加微信 {wx}",
    "{product}厂家直销，三天见效，不满意包退，V：{wx}",
    "炒股群内部消息，每天推荐一只牛股，加V {wx} 进群",
)

LINK_ADS: tuple[str, ...] = (
    "点击领取{platform}大额优惠券，最高立减200元 {url}",
    "【限时】{product}原价399现价39，抢购链接：{url}",
    "在家就能赚钱，每天1小时，收益看得见 👉 {url}",
    "免费领取全套读书资源（含{book}）👉 {url}",
    "{platform}新人红包，点开就领 {url}",
    "测测你的前世是什么人？超准！{url}",
    "正规兼职平台，日结不压款 {url}",
    "【{product}】买一送一，仅限今天 {url}",
)

MINI_PROGRAM_ADS: tuple[str, ...] = (
    "[小程序] 拼多多｜帮我砍一刀，就差你了！",
    "[小程序] 点一下帮我助力，免费领{product}",
    "[小程序] {platform}｜天天神券，最高减15元",
    "[小程序] 免费测算｜你的年度运势大全",
    "[小程序] 读书神器｜10万本电子书免费看",
    "[小程序] {platform}｜邀请你领现金红包",
)

MEDIA_TEXTS: dict[str, tuple[str, ...]] = {
    "image": ("[图片]",),
    "sticker": ("[动画表情]", "[表情]"),
    "voice": ("[语音]",),
    "video": ("[视频]",),
}


# --------------------------------------------------------------------------- filling slots


_SlotMaker = Callable[[random.Random, Book], str]

_SLOT_MAKERS: dict[str, _SlotMaker] = {
    "book": lambda rng, b: f"《{b.title}》",
    "title": lambda rng, b: b.title,
    "author": lambda rng, b: b.author,
    "genre": lambda rng, b: b.genre,
    "theme": lambda rng, b: rng.choice(b.themes),
    "other_book": lambda rng, b: f"《{pick_book(rng, exclude=b).title}》",
    "chapter": lambda rng, b: _chapter(rng),
    "n": lambda rng, b: str(rng.randint(3, 12)),
    "pages": lambda rng, b: str(rng.choice((12, 15, 20, 25, 30, 32, 40, 45, 50, 60, 80))),
    "percent": lambda rng, b: str(rng.randrange(15, 95, 5)),
    "day": lambda rng, b: "1",
    "city": lambda rng, b: rng.choice(CITIES),
    "job": lambda rng, b: rng.choice(JOBS),
    "hobby": lambda rng, b: rng.choice(HOBBIES),
    "emoji": lambda rng, b: rng.choice(EMOJI),
    "name": lambda rng, b: "大家",
    "mention": lambda rng, b: "",
    "group": lambda rng, b: "书香读书会",
    "month": lambda rng, b: str(rng.randint(1, 12)),
    "code": lambda rng, b: "".join(rng.choices(_ALNUM, k=22)),
    "digits": lambda rng, b: str(rng.randint(10_000_000, 16_999_999)),
    "product": lambda rng, b: rng.choice(PRODUCTS),
    "platform": lambda rng, b: rng.choice(PLATFORMS),
    "price": lambda rng, b: rng.choice(("3-15", "5-20", "10-50", "8-30")),
    "wx": lambda rng, b: wechat_id(rng),
    "url": lambda rng, b: short_url(rng),
}


class _Slots(dict[str, str]):
    """Slot values made on first use, so one template stays consistent (one book, one theme)."""

    def __init__(self, rng: random.Random, book: Book, fixed: dict[str, str]) -> None:
        super().__init__(fixed)
        self._rng = rng
        self._book = book

    def __missing__(self, key: str) -> str:
        value = _SLOT_MAKERS[key](self._rng, self._book)
        self[key] = value
        return value


_CN_DIGITS = "一二三四五六七八九十"


def _chapter(rng: random.Random) -> str:
    unit = rng.choice(("章", "章", "章", "部分", "卷"))
    number = rng.randint(1, 3 if unit == "卷" else 10)
    # Chinese books number chapters both ways; mixing them is what readers actually type.
    return f"第{_CN_DIGITS[number - 1] if rng.random() < 0.5 else number}{unit}"


def fill(rng: random.Random, template: str, book: Book, **fixed: str) -> str:
    """``template`` with its ``{slots}`` filled; ``fixed`` pins slots such as name or day."""
    return template.format_map(_Slots(rng, book, fixed))


def say(rng: random.Random, templates: Sequence[str], book: Book, **fixed: str) -> str:
    return fill(rng, rng.choice(templates), book, **fixed)


def review(rng: random.Random, book: Book) -> str:
    lead = rng.choice(REVIEW_LEADS)
    if rng.random() < 0.2:
        return fill(rng, lead + rng.choice(MIXED_REVIEWS), book)
    template = lead + rng.choice(REVIEW_BODIES) + rng.choice(REVIEW_TAILS)
    return fill(rng, template, book)


def _shelf(genre: str) -> tuple[tuple[Book, ...], list[float]]:
    books = tuple(b for b in BOOKS if not genre or b.genre == genre)
    return books, list(itertools.accumulate(b.popularity for b in books))


_SHELVES = {genre: _shelf(genre) for genre in ("", *GENRES)}


def pick_book(rng: random.Random, genre: str = "", exclude: Book | None = None) -> Book:
    """A book, popular titles more often; from one genre when ``genre`` is given."""
    books, cum = _SHELVES[genre]
    while True:
        book = books[bisect.bisect_right(cum, rng.random() * cum[-1])]
        if book is not exclude:
            return book


def wechat_id(rng: random.Random) -> str:
    head = rng.choice(("vx", "wx", "ok", "zq", "ly", "hm", "jj", "mm"))
    return head + "".join(rng.choices(string.ascii_lowercase + string.digits, k=rng.randint(5, 8)))


def short_url(rng: random.Random) -> str:
    return "http://t.cn/A6" + "".join(rng.choices(_ALNUM, k=6))


def decorate(rng: random.Random, text: str) -> str:
    """Real chat has trailing emoji and tildes on some lines; this keeps repeats apart."""
    r = rng.random()
    if r < 0.12:
        return text + rng.choice(EMOJI)
    if r < 0.17:
        return text + "～"
    if r < 0.2:
        return text + rng.choice(EMOJI) * 2
    return text


# --------------------------------------------------------------------------- nicknames

#: names ad accounts give themselves; the rest hide behind ordinary-looking nicknames
SPAM_NICKNAMES: tuple[str, ...] = tuple(
    base + tail
    for tail in ("", "-小王", "🎁", "88", "-Amy")
    for base in _words(
        "招聘小助手 优惠券分享官 京东福利社 宝妈副业 李姐代购 美妆小铺 好物分享 兼职日结 "
        "瘦身顾问Lisa 财富自由 阿玲微商 健康管家 省钱小能手 福利官小美 读书资源分享 "
        "股市老司机 小雅优选 正品代购 天天领券 生活好物推荐"
    )
)

_CURATED_NICKNAMES = _words("""
云淡风轻 老王 阿飞_读书中 Amy🌸 静水流深 一只小蜗牛 半糖主义 岁月静好 向日葵🌻 书虫小米
陌上花开 追风少年 晴天 木子李 南风知我意 时光旅人 清风徐来 夏天的风 慢慢来 知足常乐
无问西东 明月几时有 橘子汽水🍊 快乐的小鱼 Lucky 吃不胖的猫 Kevin 大鹏 听雨轩 墨香
海阔天空 平常心 守望者 一叶知秋 北方的狼 芒果布丁 小太阳☀️ 简单就好 稻草人 星辰大海
花开半夏 老张_杭州 浅笑安然 微笑向暖 梧桐 林间小路 安之若素 梦里花落 豆豆妈 乐乐爸爸
奔跑的蜗牛 风清扬 Jason Coco Vivian🌷 Tony Sunny☀️ Grace Echo Ivy Leo 阿杰 小雨 小鹿乱撞
书生意气 墨染青衣 一壶清茶 山水之间 行者无疆 在路上 初心不改 如是我闻 读万卷书 知行合一
大橙子 番茄炒蛋 土豆 西瓜太郎 糯米团子 元气少女 旺仔 阳光男孩 蓝天白云 溪水长流 静待花开
花好月圆 老李头 老周 老陈的书房 大刘 小马哥 阿珍 阿强 阿June 米粒 兔子不吃草 咸鱼翻身
不吃香菜 早睡早起 熬夜冠军 夜猫子🦉 爱读书的猫 猫系女子 一杯美式 拿铁不加糖 奶茶续命
冬日暖阳 秋水长天 春暖花开 夏至未至 白露为霜 雨后彩虹🌈 月光宝盒 光阴的故事 故乡的云
风之子 乘风破浪 远方 诗和远方 岁月如歌 且听风吟 人间值得 万物可爱 好好生活 认真生活
Annie Bella Cindy Daisy Emma Fiona Helen Iris Jenny Kelly Linda Mia Nancy Olivia Rose Tina
Wendy Zoe Alex Ben Chris David Eric Frank Henry Jack Mike Nick Peter Sam Tom Will
lily🌸 luna🌙 momo 可乐加冰 橙汁 芝士就是力量 薄荷糖 柠檬不萌🍋 蜜桃乌龙 抹茶控
书香满园 字里行间 纸短情长 书中自有 开卷有益 一页书 半卷闲书 青灯黄卷 枕书而眠 书山有路
老树 松风 竹影 石头 小石头 大海 山鬼 游鱼 飞鸟 归鸟 白鹭 青蛙王子 北极熊 考拉 海豚
王老师 刘老师 陈医生 张律师 李会计 周编辑 许同学 赵姐 钱哥 孙阿姨 吴叔叔 郑工
""")

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余"
_GIVEN = _words(
    "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 霞 平 刚 桂英 晓东 文静 子涵 "
    "浩然 雨欣 梓萱 一鸣 思远 晨曦 佳怡 欣怡 宇航 天宇 婷婷 海燕 建国 志强 玉兰 慧 颖 "
    "嘉欣 俊杰 博文 可馨 雅琪 晓峰 立新 春梅 红霞 国庆 永刚 丹丹 琳琳 晓雪 亮 鹏 斌"
)
_SUFFIXES = ("_读书中", "🌸", "📚", "🍀", "(读书中)", "~", "✨", "🌙", "的书房", "同学")


def _generated_nicknames() -> list[str]:
    # Strides over fixed lists give a deterministic spread without any random state.
    # Many members simply use their real name; 40 surnames x 60 given names, strided.
    names = [
        _SURNAMES[(i * 7) % len(_SURNAMES)] + _GIVEN[(i * 11 + i // 40) % len(_GIVEN)]
        for i in range(560)
    ]
    names += ["老" + s for s in _SURNAMES[:20]] + ["小" + g[-1] for g in _GIVEN[:30]]
    names += ["阿" + g[-1] for g in _GIVEN[5:25]]
    names += [
        f"{CITIES[i % len(CITIES)]}-{JOBS[(i * 5) % len(JOBS)]}-{_SURNAMES[(i * 3) % 40]}"
        f"{_GIVEN[(i * 7) % len(_GIVEN)]}"
        for i in range(60)
    ]
    names += [
        _CURATED_NICKNAMES[(i * 13) % len(_CURATED_NICKNAMES)] + _SUFFIXES[i % len(_SUFFIXES)]
        for i in range(80)
    ]
    return names


def _nickname_pool() -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for name in [*_CURATED_NICKNAMES, *_generated_nicknames()]:
        seen.setdefault(name, None)
    return tuple(seen)


NICKNAMES: tuple[str, ...] = _nickname_pool()
