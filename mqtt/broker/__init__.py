"""mosquitto configuration for store and central brokers."""

from mqtt.broker.config import (
    AclEntry,
    BrokerConfigError,
    BrokerSettings,
    TlsFiles,
    check_identity,
    render_acl,
    render_config,
)

__all__ = ["AclEntry", "BrokerConfigError", "BrokerSettings", "TlsFiles", "check_identity", "render_acl", "render_config"]
