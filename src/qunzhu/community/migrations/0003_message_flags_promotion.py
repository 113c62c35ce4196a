"""Message.flags gains F_CONTACT (a WeChat / QQ id or phone number offered) and F_PROMO (a
price or 淘口令 that sells, a money phrase with a link or contact): the evidence the health
report's hard-ad decision needs (qunzhu.core.health.ads). Recomputed for stored messages;
the health snapshots are rebuilt because their layout changed (qunzhu.health.source)."""

from django.db import migrations


def recompute(apps, schema_editor):  # type: ignore[no-untyped-def]
    from qunzhu.core.health.flags import message_flags

    message = apps.get_model("community", "Message")
    rows = message.objects.exclude(text="").values_list("pk", "text", "text_folded", "kind",
                                                        "flags")
    changed = []
    for pk, text, folded, kind, old in rows.iterator(chunk_size=5000):
        flags = message_flags(folded or text, kind)
        if flags != old:
            changed.append(message(pk=pk, flags=flags))
        if len(changed) >= 5000:
            message.objects.bulk_update(changed, ["flags"])
            changed = []
    if changed:
        message.objects.bulk_update(changed, ["flags"])


class Migration(migrations.Migration):

    dependencies = [
        ("community", "0002_message_flags"),
    ]

    operations = [
        migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True),
    ]
