from django.db import models


class CeilingReport(models.Model):
    """One row per accepted ceiling form: the eight answers and nothing else (no tenancy, audit or key)."""

    facility = models.CharField(max_length=40)
    classification = models.CharField(max_length=40)
    narrative = models.TextField()
    technique = models.CharField(max_length=40)
    event_date = models.DateField()
    age_range = models.CharField(max_length=40)
    patient_sex = models.CharField(max_length=40)
    reporter_role = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"C-{self.pk}"
