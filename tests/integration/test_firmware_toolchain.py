"""CI checks of the PIN-pad firmware as the board will run it: type-checked against the MicroPython
stubs, compiled by mpy-cross, and executed on real MicroPython (the WebAssembly port under node,
with a pure-Python AES because that port has no cryptolib). scripts/firmware-check.sh installs its
own tools venv and npm package under .cache/ (the stubs would pollute the app venv)."""

from __future__ import annotations

import pathlib
import subprocess

import pytest

from drivers.events import CardRead, EntryMode
from drivers.pinpad import protocol
from p2pe import aes_dukpt, pinblock
from p2pe.host import AES
from p2pe.modes import cbc_decrypt, unpad_iso9797_m2
from tests.support.pinpad_fw import BDK, IKID

SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "scripts" / "firmware-check.sh"


def check(step: str) -> str:
    out = subprocess.run(["bash", str(SCRIPT), step], capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, f"firmware-check {step} failed:\n{out.stdout}\n{out.stderr}"
    return out.stdout


@pytest.fixture(scope="module", autouse=True)
def tools() -> None:
    check("setup")


def test_firmware_type_checks_against_micropython_stubs() -> None:
    assert "Success: no issues found in 17 source files" in check("typecheck")


def test_firmware_compiles_with_mpy_cross() -> None:
    assert "mpy-cross: compiled 17 modules" in check("mpy")


def test_self_test_passes_on_micropython() -> None:
    out = check("selftest")
    assert "IMPLEMENTATION micropython" in out
    assert "SELFTEST PASS aes=ok dukpt=ok pinblock=ok tr31=ok wire=ok card=ok" in out


def test_a_card_read_on_micropython_decrypts_on_the_host() -> None:
    lines = dict(line.split(" ", 1) for line in check("flow").splitlines() if " " in line)
    assert (lines["INJECT"], lines["START"]) == ("True", "True")
    read = protocol.decode(bytes.fromhex(lines["CARD_READ"]))
    assert isinstance(read, CardRead)
    assert (read.transaction_id, read.entry_mode, read.masked_pan) == ("MP-1", EntryMode.CHIP, "476173******0119")
    assert read.ksn == IKID + b"\x00\x00\x00\x01"
    key = aes_dukpt.host_working_key(AES, BDK, read.ksn, aes_dukpt.DATA_ENCRYPT, aes_dukpt.AES128)
    assert unpad_iso9797_m2(cbc_decrypt(AES, key, bytes(16), read.ciphertext)) == bytes.fromhex(
        "5A084761739001010119" "57114761739001010119D22122011758928889")
    pkey = aes_dukpt.host_working_key(AES, BDK, read.ksn, aes_dukpt.PIN_ENCRYPTION, aes_dukpt.AES128)
    assert pinblock.decrypt_format4(AES, pkey, read.pin_block, "4761739001010119") == "1234"
    assert lines["DISPLAYS"] == "EUR 25.00 INSERT, TAP OR SWIPE|EUR 25.00 ENTER PIN|PROCESSING"
