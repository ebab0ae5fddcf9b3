"""The link's errors, grouped by what the caller does next.

    LinkError                    the link failed; the supervisor reconnects with backoff
    ├── LinkTimeout (+TimeoutError)   an ack or CONNACK did not arrive in time
    ├── ConnectFailed            no session: socket/TLS failure, or CONNACK refused (.reason_code)
    ├── ConnectionLost           an established session ended (.reason_code)
    └── RequestRefused           the broker answered a publish/subscribe with a failure reason
                                 code (e.g. 0x87 Not authorized): a bug or an ACL, not retried
    LinkMisuse (RuntimeError)    the API was used wrongly (not connected, re-entered): a bug

Foreign exceptions (OSError, ssl.SSLError, paho codes) are mapped here with the cause chained.
"""

from __future__ import annotations


class LinkError(Exception):
    """The MQTT link failed."""

    def __init__(self, message: str, *, reason_code: int | None = None) -> None:
        super().__init__(message)
        self.reason_code = reason_code


class LinkTimeout(LinkError, TimeoutError):
    """An acknowledgement did not arrive within its timeout."""


class ConnectFailed(LinkError):
    """The connection or its CONNACK failed."""


class ConnectionLost(LinkError):
    """An established connection was lost or closed by the broker."""


class RequestRefused(LinkError):
    """The broker refused a publish or subscription with an MQTT v5 reason code."""


class LinkMisuse(RuntimeError):
    """The link API was used in a way that is always a bug."""
