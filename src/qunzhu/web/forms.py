"""Console forms: validate operator input before it reaches a service function."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

FORMAT_CHOICES = [
    ("auto", _("detect from the content")),
    ("wechat", _("WeChat (MemoTrace CSV/TXT, WeCom archive)")),
    ("qq", _("QQ message manager TXT")),
    ("qce", _("QQ Chat Exporter (TXT/JSON/HTML)")),
    ("telegram", "Telegram Desktop JSON"),
    ("whatsapp", "WhatsApp TXT"),
    ("discord", "DiscordChatExporter JSON/CSV"),
    ("slack", _("Slack workspace export (zip)")),
    ("irc", _("IRC log")),
]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Export file"),
                           help_text=_("A chat export: .txt, .csv, .json, .html or a .zip."))
    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES, initial="auto")
    time_zone = forms.CharField(label=_("Time zone of local times"), required=False,
                                help_text=_("Leave empty for the community's time zone."))
    group_name = forms.CharField(label=_("Group name"), required=False, max_length=200,
                                 help_text=_("Leave empty to use the name in the export."))
    strict = forms.BooleanField(label=_("Stop at the first bad line and keep nothing"),
                                required=False)
    year = forms.IntegerField(label=_("Year of the first line"), required=False,
                              min_value=1970, max_value=2100,
                              help_text=_("Only for logs whose times have no year "
                                          "(dircproxy: '[14 Jan 12:37]')."))

    def clean_time_zone(self) -> str:
        value: str = self.cleaned_data["time_zone"].strip()
        if value:
            try:
                zoneinfo.ZoneInfo(value)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
                raise forms.ValidationError(
                    _("%(value)s is not a known time zone (e.g. Asia/Shanghai)."),
                    params={"value": value}) from exc
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None and upload.size == 0:
            self.add_error("file", _("The file is empty."))
        return data


class MergeForm(forms.Form):
    keep = forms.IntegerField()
    other = forms.IntegerField()
