"""The lane's staff side: attendant logins, interventions, training mode, cash movements, X/Z reports.

Part of `Lane` (a mixin sharing its state and lock); every action here is permission-checked and
written to the audit log.
"""

from __future__ import annotations

import asyncio
import dataclasses

from appliance.associates import Associate, Attendants, AuthError
from appliance.domain.errors import DomainError
from appliance.domain.money import Money
from appliance.domain.roles import Action
from appliance.lane_errors import LaneError
from appliance.lane_events import LaneNotice
from appliance.reports import ShiftReport, close_day, shift_report


class StaffMixin:
    async def attendant_login(self, pin: str) -> Associate:
        """An associate logs in at the lane with a PIN (slow hash; lockout after repeated failures)."""
        async with self._lock:
            try:
                who = await asyncio.to_thread(self._attendants.login, pin)
            except AuthError as err:
                await self._audited("lane", "attendant_login_failed", "", {"reason": str(err)})
                self._reject("attendant_login", err)
            self.attendant = who
            await self._audited(who.associate_id, "attendant_login", "", {"role": who.role.value})
            self._emit(LaneNotice("info", f"{who.name} ({who.role.value}) logged in."))
            return who

    async def attendant_logout(self) -> None:
        async with self._lock:
            if self.attendant is not None:
                await self._audited(self.attendant.associate_id, "attendant_logout")
                self.attendant = None

    async def clear_intervention(self, intervention_id: str, outcome: str = "approved", note: str = "") -> None:
        """An attendant approves (or refuses) an age check, or resolves another intervention.

        A refused age check removes the restricted line from the sale.
        """
        async with self._lock:
            sale = self._require_sale("clear_intervention")
            try:
                iv = sale.interventions.get(intervention_id)
                action = Action.APPROVE_AGE if iv is not None and iv.kind == "age" else Action.CLEAR_INTERVENTION
                who = Attendants.require(self.attendant, action)
                event = sale.clear_intervention(intervention_id, who.associate_id, outcome, self._clock(), note)
            except DomainError as err:
                self._reject("clear_intervention", err)
            await self._commit(event)
            if iv is not None and iv.kind == "weight" and self.bagging is not None:
                self.bagging.accept_current()
            if outcome == "refused" and iv is not None and iv.line_id in sale.lines:
                await self._commit(sale.void_line(iv.line_id, self._clock(), f"age check refused by {who.associate_id}"))
            await self._audited(who.associate_id, f"intervention_{outcome}", sale.sale_id,
                                {"intervention": intervention_id, "kind": iv.kind if iv else "", "note": note})
            self._emit_sale()

    async def set_training(self, on: bool) -> None:
        """A supervisor switches the lane into (or out of) training mode between sales."""
        async with self._lock:
            try:
                if self._sale is not None:
                    raise LaneError("Finish or void the open sale before switching training mode.")
                who = Attendants.require(self.attendant, Action.TRAINING)
            except DomainError as err:
                self._reject("set_training", err)
            self.config = dataclasses.replace(self.config, training=on)
            await self._audited(who.associate_id, "training_on" if on else "training_off")
            self._emit(LaneNotice("info", "Training mode: sales are not real." if on else "Training mode off."))

    async def cash_movement(self, kind: str, amount: Money | str) -> None:
        """Opening float, pickup (cash taken out to the safe) or drop (cash added), by an attendant."""
        async with self._lock:
            try:
                if kind not in ("cash_float", "cash_pickup", "cash_drop"):
                    raise LaneError(f"Unknown cash movement {kind!r}.")
                who = Attendants.require(self.attendant, Action.OPEN_DRAWER)
                money = amount if isinstance(amount, Money) else Money.parse(amount, self.profile.currency)
                if money.minor <= 0:
                    raise LaneError("A cash movement is a positive amount.")
            except DomainError as err:
                self._reject(kind, err)
            await self._audited(who.associate_id, kind, "", {"lane": self.config.lane_id, "amount": money.minor})

    async def x_report(self) -> ShiftReport:
        if self._audit is None:
            raise LaneError("This lane keeps no audit log, so it has no shift reports.")
        return await shift_report(self._journal, self._audit, self.config.lane_id, self.profile.currency)

    async def z_report(self, counted_cash: Money | None = None) -> ShiftReport:
        """Close the day: a supervisor's Z report (numbered); a blind count's variance is audited."""
        async with self._lock:
            try:
                if self._audit is None:
                    raise LaneError("This lane keeps no audit log, so it cannot close the day.")
                if self._sale is not None:
                    raise LaneError("Finish or void the open sale before closing the day.")
                who = Attendants.require(self.attendant, Action.VOID_SALE)  # supervisors close the day
            except DomainError as err:
                self._reject("z_report", err)
            report = await close_day(self._journal, self._audit, self.config.lane_id, self.profile.currency,
                                     who.associate_id, self._clock())
            if counted_cash is not None and report.expected_cash is not None:
                await self._audited(who.associate_id, "drawer_count", f"Z{report.number:04d}", {
                    "lane": self.config.lane_id, "counted": counted_cash.minor,
                    "expected": report.expected_cash.minor, "variance": (counted_cash - report.expected_cash).minor})
            return report

    async def _audited(self, actor: str, action: str, subject: str = "", detail: dict[str, object] | None = None) -> None:
        if self._audit is not None:
            await self._audit.append(self._clock(), actor, action, subject, detail)
