"""Adapters from device drivers to what the lane needs of them (the lane knows no driver types)."""

from __future__ import annotations

from decimal import Decimal

from appliance.domain.errors import DomainError
from drivers.events import DriverError
from drivers.scale import NoStableWeight, Scale, stable_weight

_GRAM = Decimal("0.001")


class NoWeight(DomainError):
    """The scale gave no usable weight; the message tells the shopper what to do."""


class ScaleWeights:
    """`Lane(scale=ScaleWeights(scale))`: stable weights above zero, in kg to the gram."""

    def __init__(self, scale: Scale) -> None:
        self.scale = scale

    async def stable_kg(self, timeout: float) -> Decimal:
        try:
            weight = await stable_weight(self.scale, timeout)
        except NoStableWeight as err:
            raise NoWeight(f"The scale did not settle within {timeout:g} s: place the item on the scale and keep it still.") from err
        except DriverError as err:
            raise NoWeight(f"The scale is not answering ({err}); ask an attendant.") from err
        return (weight.grams() / 1000).quantize(_GRAM)
