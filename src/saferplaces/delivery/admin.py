"""The delivery models in Django's admin, for staff putting right what the pages cannot.
Day-to-day writes go through the pages and the services."""

from django.contrib import admin

from saferplaces.delivery import models as m

for model in (
    m.Initiative,
    m.Strand,
    m.ActionPlan,
    m.DeliveryAction,
    m.Output,
    m.FundingStream,
    m.Allocation,
    m.QuarterlyReturn,
    m.EvaluationMeasure,
    m.UnitCost,
    m.ValueCase,
):
    admin.site.register(model)
