from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from .forms import CeilingForm
from .models import CeilingReport


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


def report_done(request, pk: int):
    """The confirmation: the row's reference number."""
    return render(request, "ceiling/done.html", {"row": get_object_or_404(CeilingReport, pk=pk)})
