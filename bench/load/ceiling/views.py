from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django_otp.decorators import otp_required

from .forms import CeilingForm
from .models import CeilingReport


# Signed in and verified, as the app's pages require: the session, the user and the TOTP device are read from the
# database on each request by the same middleware as the app's (settings_ceiling.py keeps the app's MIDDLEWARE).
@otp_required
def report_create(request):
    """GET: the form (with its CSRF token); POST: validate and insert one row, then redirect (PRG)."""
    if request.method == "POST":
        form = CeilingForm(request.POST)
        if form.is_valid():
            row = CeilingReport.objects.create(**form.cleaned_data)
            return redirect("ceiling-done", pk=row.pk)
    else:
        form = CeilingForm(initial={"event_date": timezone.localdate()})
    return render(request, "ceiling/form.html", {"form": form})


@otp_required
def report_done(request, pk: int):
    """The confirmation: the row's reference number."""
    return render(request, "ceiling/done.html", {"row": get_object_or_404(CeilingReport, pk=pk)})
