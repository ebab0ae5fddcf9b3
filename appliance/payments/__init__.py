"""The lane's side of payments: the gateway interface, its HTTPS/mTLS implementation and the
card tender flow with recovery from doubt. Holds no card keys and never sees clear card data:
only the PIN pad's ciphertext, the KSN and a masked PAN pass through here.
"""

from appliance.payments.gateway import (
           Gateway,
           GatewayError,
           GatewayRefused,
           GatewayTimeout,
           GatewayUnreachable,
)
from appliance.payments.wire import Answer, CardAuthorization

__all__ = ["Answer", "CardAuthorization", "Gateway", "GatewayError", "GatewayRefused", "GatewayTimeout",
           "GatewayUnreachable"]
