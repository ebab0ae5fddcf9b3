"""The payment host: the P2PE provider's decryption environment and acquirer, as a lab stand-in.

Runs as its own process (`lanekit-payhost`), never inside the appliance. It holds the BDK,
derives each card read's keys from its KSN, decrypts the card data and PIN block through
``p2pe.channel``, authorizes by test rules (``rules``), and keeps a ledger (``ledger``, SQLite).
Lanes reach it over HTTPS with mutual TLS (``server``); the wire schemas are ``wire``.

Modules: ``wire`` (versioned msgspec schemas, shared with no one: the appliance has its own copy
of the shapes), ``config`` (TOML), ``keys`` (the BDK file), ``card`` (decrypt + parse a read),
``rules``, ``ledger``, ``service`` (the operations), ``server`` (HTTP/1.1 over TLS), ``cli``.
"""
