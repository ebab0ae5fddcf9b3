"""Fleet management over MQTT: the signed config shadow (device side `shadow`, HQ side `manager`)."""
