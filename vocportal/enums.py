"""Enumerations whose members carry a label for people."""

from __future__ import annotations

import enum


class LabelledEnum(enum.Enum):
    """An enum whose members are written `name = "value", "Label"`: the value is the first
    (what is stored and sent), `label` the second (what a page says)."""

    label: str

    def __new__(cls, value: str, label: str):
        member = object.__new__(cls)
        member._value_ = value
        member.label = label
        return member
