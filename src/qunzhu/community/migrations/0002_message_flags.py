"""Message.flags: link / ad phrase / QR card bits, stored once so reports need not rescan texts."""

from django.db import migrations, models


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    from qunzhu.core.health.flags import message_flags

    message = apps.get_model("community", "Message")
    rows = message.objects.exclude(text="").values_list("pk", "text", "text_folded", "kind")
    changed = []
    for pk, text, folded, kind in rows.iterator(chunk_size=5000):
        flags = message_flags(folded or text.casefold(), kind)
        if flags:
            changed.append(message(pk=pk, flags=flags))
        if len(changed) >= 5000:
            message.objects.bulk_update(changed, ["flags"])
            changed = []
    if changed:
        message.objects.bulk_update(changed, ["flags"])


class Migration(migrations.Migration):

    dependencies = [
        ("community", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="flags",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
