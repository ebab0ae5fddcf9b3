"""Associates' roles and what each may do at a lane (pure rules; the PINs live in appliance/associates.py)."""

from __future__ import annotations

import enum


class Role(enum.Enum):
    CASHIER = "cashier"
    SUPERVISOR = "supervisor"
    TECHNICIAN = "technician"


class Action(enum.Enum):
    APPROVE_AGE = "approve_age"
    CLEAR_INTERVENTION = "clear_intervention"
    VOID_LINE = "void_line"
    VOID_SALE = "void_sale"
    PRICE_OVERRIDE = "price_override"
    REFUND_WITHOUT_RECEIPT = "refund_without_receipt"
    OPEN_DRAWER = "open_drawer"
    CONFIG = "config"
    TRAINING = "training"


PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.CASHIER: frozenset({Action.APPROVE_AGE, Action.CLEAR_INTERVENTION, Action.VOID_LINE}),
    Role.SUPERVISOR: frozenset(Action) - {Action.CONFIG},
    Role.TECHNICIAN: frozenset({Action.CONFIG, Action.CLEAR_INTERVENTION}),
}


def may(role: Role, action: Action) -> bool:
    return action in PERMISSIONS[role]
