#!/usr/bin/python3
"""Marks the GLIBCXX_3.4.32 version requirement of the BUILT copy of libLibTorchSharp.so weak.

TorchSharp 0.107's libLibTorchSharp.so asks for GLIBCXX_3.4.32 (GCC 13's libstdc++), newer than Debian 12's, so
the loader refuses it. The only symbol behind that version, std::ios_base_library_init, is never called. A version
requirement flagged VER_FLG_WEAK (0x2) in .gnu.version_r that the system cannot satisfy is not an error for the
dynamic loader, so the library loads. This edits two bytes (vna_flags) per matching entry in place; no objcopy.

Usage: patch_glibcxx.py DIR    (patches every libLibTorchSharp.so under DIR: the build output, never the package
cache; a hard-linked copy is unlinked into a private file before it is edited)
"""
import os
import shutil
import struct
import sys

SHT_GNU_VERNEED = 0x6FFFFFFE
VER_FLG_WEAK = 0x2
TARGET = b"GLIBCXX_3.4.32"


def patch(path):
    with open(path, "rb") as f:
        data = bytearray(f.read())
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise SystemExit(f"{path}: not a little-endian 64-bit ELF file")
    e_shoff, = struct.unpack_from("<Q", data, 0x28)
    e_shentsize, e_shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = []
    for i in range(e_shnum):
        off = e_shoff + i * e_shentsize
        _name, sh_type, _flags, _addr, sh_offset, sh_size, sh_link, sh_info = struct.unpack_from("<IIQQQQII", data, off)
        sections.append((sh_type, sh_offset, sh_size, sh_link, sh_info))
    changed = found = 0
    for sh_type, sh_offset, _size, sh_link, sh_info in sections:
        if sh_type != SHT_GNU_VERNEED:
            continue
        strtab = sections[sh_link][1]
        vn = sh_offset
        for _ in range(sh_info):  # sh_info = number of Verneed entries
            _ver, vn_cnt, _file, vn_aux, vn_next = struct.unpack_from("<HHIII", data, vn)
            aux = vn + vn_aux
            for _ in range(vn_cnt):
                _hash, vna_flags, _other, vna_name, vna_next = struct.unpack_from("<IHHII", data, aux)
                start = strtab + vna_name
                name = bytes(data[start:data.index(b"\0", start)])
                if name == TARGET:
                    found += 1
                    if not vna_flags & VER_FLG_WEAK:
                        struct.pack_into("<H", data, aux + 4, vna_flags | VER_FLG_WEAK)
                        changed += 1
                if vna_next == 0:
                    break
                aux += vna_next
            if vn_next == 0:
                break
            vn += vn_next
    if changed:
        if os.stat(path).st_nlink > 1:  # never edit a file shared with the package cache
            tmp = path + ".tmp"
            shutil.copyfile(path, tmp)
            os.replace(tmp, path)
        with open(path, "r+b") as f:
            f.write(data)
    state = "patched" if changed else ("already weak" if found else f"no {TARGET.decode()} requirement")
    print(f"patch_glibcxx: {path}: {state}")


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    root = sys.argv[1]
    hits = 0
    for d, _dirs, files in os.walk(root):
        for name in files:
            p = os.path.join(d, name)
            if name == "libLibTorchSharp.so" and not os.path.islink(p):
                hits += 1
                patch(p)
    if hits == 0:
        print(f"patch_glibcxx: no libLibTorchSharp.so under {root}")


if __name__ == "__main__":
    main()
