#!/usr/bin/env python3
"""Packs PNG renderings of the app icon into a Windows .ico and a macOS .icns.

Usage: icon-containers.py PNG_DIR OUT.ico OUT.icns
PNG_DIR holds <size>.png for 16, 24, 32, 48, 64, 128, 256, 512 and 1024 pixels.
Both containers store the PNGs unchanged (PNG entries: Windows Vista and later, macOS 10.7 and
later), so the output is byte-for-byte reproducible from the same PNGs.
"""
import struct
import sys
from pathlib import Path

ICO_SIZES = [16, 24, 32, 48, 64, 128, 256]
# (OSType, pixel size of the PNG): 1x and 2x (Retina) slots.
ICNS_ENTRIES = [
    (b"icp4", 16), (b"icp5", 32), (b"ic11", 32), (b"ic12", 64),
    (b"ic07", 128), (b"ic13", 256), (b"ic08", 256), (b"ic14", 512),
    (b"ic09", 512), (b"ic10", 1024),
]


def read_png(png_dir: Path, size: int) -> bytes:
    data = (png_dir / f"{size}.png").read_bytes()
    width, height = struct.unpack(">II", data[16:24])
    if data[:8] != b"\x89PNG\r\n\x1a\n" or (width, height) != (size, size):
        sys.exit(f"{png_dir / f'{size}.png'}: not a {size}x{size} PNG")
    return data


def write_ico(png_dir: Path, out: Path) -> None:
    images = [read_png(png_dir, s) for s in ICO_SIZES]
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries = b""
    for size, data in zip(ICO_SIZES, images):
        dim = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    out.write_bytes(header + entries + b"".join(images))


def write_icns(png_dir: Path, out: Path) -> None:
    body = b""
    for ostype, size in ICNS_ENTRIES:
        data = read_png(png_dir, size)
        body += ostype + struct.pack(">I", 8 + len(data)) + data
    out.write_bytes(b"icns" + struct.pack(">I", 8 + len(body)) + body)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    png_dir = Path(sys.argv[1])
    write_ico(png_dir, Path(sys.argv[2]))
    write_icns(png_dir, Path(sys.argv[3]))
