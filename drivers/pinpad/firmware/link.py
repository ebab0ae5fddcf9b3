"""The firmware's end of the framed link: ACK every intact frame, drop duplicates, retransmit
its own frames until ACKed (MicroPython subset, polled, no threads).

``port`` has ``read() -> bytes or None`` (non-blocking) and ``write(bytes)``; ``now()`` is ms and
``diff(a, b)`` is a - b in ms (``time.ticks_diff`` on the board, where the tick counter wraps).
"""

from . import wire

ACK_TIMEOUT_MS = 300
RETRIES = 4
INTERBYTE_MS = 100


def _minus(a, b):
    return a - b


class Link:
    def __init__(self, port, now, ack_timeout=ACK_TIMEOUT_MS, retries=RETRIES, diff=None):
        self._port = port
        self._now = now
        self._diff = diff or _minus
        self._timeout = ack_timeout
        self._retries = retries
        self._deframer = wire.Deframer()
        self._seq = 0
        self._queue = []
        self._outstanding = None  # [seq, frame bytes, sent at, tries]
        self._last_rx = None  # (seq, payload) of the last data frame accepted
        self._last_byte_at = now()
        self.errors = []  # recent WireErrors, for diagnostics; bounded

    def send(self, kind, fields=None):
        self._queue.append(wire.encode_message(kind, fields))
        self._pump()

    def _pump(self):
        if self._outstanding is None and self._queue:
            self._seq = (self._seq + 1) & 0xFF
            frame = wire.encode_frame(self._seq, self._queue.pop(0))
            self._outstanding = [self._seq, frame, self._now(), 1]
            self._port.write(frame)

    def _note(self, err):
        self.errors.append(err)
        self.errors = self.errors[-16:]

    def poll(self):
        """Incoming requests as ("msg", kind, fields) or ("bad", reason, offset), in order."""
        out: list = []
        data = self._port.read()
        now = self._now()
        items = []
        if data:
            self._last_byte_at = now
            items = self._deframer.feed(data)
        elif self._deframer.pending and self._diff(now, self._last_byte_at) > INTERBYTE_MS:
            items = self._deframer.flush()
        for item in items:
            if isinstance(item, wire.WireError):
                self._note(item)
                if item.reason in ("CRC mismatch", "no ETX where LEN puts it"):
                    self._port.write(wire.encode_frame(0, wire.encode_message(wire.NAK, {"reason": "crc"})))
                continue
            self._frame(item, out)
        pending = self._outstanding
        if pending is not None and self._diff(now, pending[2]) > self._timeout:
            if pending[3] >= self._retries:
                self._outstanding = None  # the host is gone; results stay queryable with RESULT
                self._pump()
            else:
                self._resend(pending, now)
        return out

    def _resend(self, pending, now):
        pending[2] = now
        pending[3] += 1
        self._port.write(pending[1])

    def _frame(self, frame, out):
        kind = frame.payload[0] if frame.payload else -1
        if kind == wire.ACK and len(frame.payload) == 1:
            if self._outstanding is not None and frame.seq == self._outstanding[0]:
                self._outstanding = None
                self._pump()
            return
        if kind == wire.NAK:
            if self._outstanding is not None:
                self._resend(self._outstanding, self._now())
            return
        self._port.write(wire.encode_frame(frame.seq, bytes([wire.ACK])))
        if self._last_rx is not None and self._last_rx[0] == frame.seq and self._last_rx[1] == frame.payload:
            return  # a retransmission of what we already handled: ACK again, act once
        self._last_rx = (frame.seq, frame.payload)
        try:
            kind, fields = wire.decode_message(frame.payload)
        except wire.WireError as err:
            self._note(err)
            out.append(("bad", err.reason, err.offset))
            return
        out.append(("msg", kind, fields))
