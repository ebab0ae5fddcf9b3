"""Card-data crypto shared by both ends of the P2PE channel.

Runs on MicroPython (the PIN-pad firmware) and CPython (the payment host): bytes and int
operations only, no dataclasses, no typing imports at run time. The AES block primitive is
injected (an object with ``encrypt(key, block)`` and ``decrypt(key, block)``): the host passes
``p2pe.host.CryptographyAES()``, the firmware an adapter over MicroPython's ``cryptolib``.

Modules: ``aes_dukpt`` (ANSI X9.24-3-2017), ``pinblock`` (ISO 9564 formats 0 and 4),
``tr31`` (key block unwrap), ``cmac`` and ``modes`` (helpers over the injected block cipher),
``errors``; host only: ``host`` (primitives over ``cryptography``) and ``tdes_dukpt`` (X9.24-1).
"""
