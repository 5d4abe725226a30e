# RollupFacility keyed by period (window) instead of quarter; the table only ever holds derived counts
# (rebuilt by `manage.py rollups_rebuild`), so it is recreated rather than altered.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reporting', '0003_submission_unique_per_pso'),
    ]

    operations = [
        migrations.DeleteModel(
            name='RollupFacility',
        ),
        migrations.CreateModel(
            name='RollupFacility',
            fields=[
                ('pk', models.CompositePrimaryKey('pso_id', 'practice_key', 'facility_key', 'window', 'dimension', 'value', blank=True, editable=False, primary_key=True, serialize=False)),
                ('pso_id', models.BigIntegerField()),
                ('practice_key', models.CharField(max_length=64)),
                ('facility_key', models.CharField(max_length=64)),
                ('window', models.CharField(max_length=6)),
                ('dimension', models.CharField(max_length=24)),
                ('value', models.CharField(max_length=64)),
                ('n', models.IntegerField(default=0)),
            ],
        ),
    ]
