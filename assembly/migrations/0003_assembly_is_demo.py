from django.db import migrations, models

DEMO_SLUG = "wego-ga-2023"  # assembly.demo_data.ASSEMBLY["slug"], frozen as of this migration


def mark_demo(apps, schema_editor):
    apps.get_model("assembly", "Assembly").objects.filter(slug=DEMO_SLUG).update(is_demo=True)


class Migration(migrations.Migration):
    dependencies = [
        ("assembly", "0002_presence_ended_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="assembly",
            name="is_demo",
            field=models.BooleanField(default=False, editable=False, verbose_name="demo assembly"),
        ),
        migrations.RunPython(mark_demo, migrations.RunPython.noop),
    ]
