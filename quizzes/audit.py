"""The audit trail: who changed what, when, and the object before and after, as JSON.

Every workflow that changes questions, quizzes, records or overrides calls `log_action` in its
own transaction (after pretix's `LoggedModel.log_action`); the admin's edits go through
`AuditedAdmin` in quizzes/admin.py, which snapshots the object before and after its save.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from .models import AuditLogEntry, Question, Quiz


def snapshot(obj: models.Model) -> dict:
    """The object's own field values as JSON data, with what an instructor edits alongside it.

    A question brings its choices, a quiz its draw rules; many-to-many fields are lists of ids.
    Costs a query per related list.
    """
    values = {}
    for field in obj._meta.concrete_fields:
        if getattr(field, "auto_now", False):
            continue  # changes on every save: it would make every save look like a change
        value = field.value_from_object(obj)
        if isinstance(value, models.fields.files.FieldFile):
            value = value.name or ""
        values[field.attname] = value
    for field in obj._meta.many_to_many:
        values[field.name] = sorted(
            getattr(obj, field.name).values_list("pk", flat=True) if obj.pk else []
        )
    if isinstance(obj, Question) and obj.pk:
        values["choices"] = list(
            obj.choices.order_by("order", "id").values("text", "is_correct", "feedback", "order")
        )
    if isinstance(obj, Quiz) and obj.pk:
        values["draw_rules"] = list(
            obj.draw_rules.order_by("topic_id").values("topic_id", "count", "floor")
        )
    return as_json_data(values)


def as_json_data(value):
    """Through Django's JSON encoder and back: dates, decimals and UUIDs become JSON values."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def log_action(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_repr: str = "",
    before: dict | None = None,
    after: dict | None = None,
    data: dict | None = None,
    object_id: int | str = "",
) -> AuditLogEntry:
    """Write one audit row: `action` is dotted (``quizzes.question.changed``). One query."""
    fields = {}
    if obj is not None:
        fields = {
            "object_type": obj._meta.label_lower,
            "object_id": str(obj.pk or ""),
            "object_repr": object_repr or str(obj),
        }
    else:
        fields = {
            "object_type": action.rpartition(".")[0],
            "object_id": str(object_id),
            "object_repr": object_repr,
        }
    fields["object_repr"] = fields["object_repr"][:255]
    return AuditLogEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=str(actor)[:255] if getattr(actor, "pk", None) else "",
        action=action,
        before=before,
        after=after,
        data=as_json_data(data or {}),
        **fields,
    )
