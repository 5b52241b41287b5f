#!/usr/bin/env python3
"""Dump the C2PA manifest store (JUMBF box tree) embedded in a JPEG, PNG or WebP.

Usage: python3 dump_jumbf.py FILE [--full]

Prints where the store sits in the container (APP11 segments / caBX chunk /
C2PA RIFF chunk, with file offsets and sizes), then the JUMBF box tree: for
every box its file-independent offset inside the store, LBox, TBox; for
'jumd' the type UUID (with its C2PA name), toggles, label, ID, hash and
private fields; for 'cbor' boxes a CBOR diagnostic rendering (the COSE_Sign1
protected header is decoded too), for 'json' the text. For every superbox it
also prints SHA-256 of the whole box and of the box without its 8-byte
LBox/TBox header, so hashed_uri values in the claim can be matched by eye.
--full prints byte strings in full instead of eliding them.

Stdlib only (a small CBOR decoder is included).
"""

import hashlib
import struct
import sys

FULL = False

C2PA_UUIDS = {
    "6332706100110010800000aa00389b71": "c2pa (manifest store)",
    "63326d6100110010800000aa00389b71": "c2ma (standard manifest)",
    "6332756d00110010800000aa00389b71": "c2um (update manifest)",
    "6332617300110010800000aa00389b71": "c2as (assertion store)",
    "6332636c00110010800000aa00389b71": "c2cl (claim)",
    "6332637300110010800000aa00389b71": "c2cs (claim signature)",
    "6332766300110010800000aa00389b71": "c2vc (credential store)",
    "63626f7200110010800000aa00389b71": "cbor (CBOR content type)",
    "6a736f6e00110010800000aa00389b71": "json (JSON content type)",
    "6a70326300110010800000aa00389b71": "jp2c (codestream)",
    "6269646200110010800000aa00389b71": "bidb (embedded file)",
    "40cb0c32bb8a489da70b2ad6f47f4369": "uuid (UUID content type)",
    "6332646200110010800000aa00389b71": "c2db (databox store)",
}


# ---------------------------------------------------------------- CBOR ----
class Tag:
    def __init__(self, tag, value):
        self.tag, self.value = tag, value


class Simple:
    def __init__(self, v):
        self.v = v


BREAK = object()


class CborDecoder:
    def __init__(self, data):
        self.d, self.i = data, 0

    def _n(self, ai):
        if ai < 24:
            return ai
        size = {24: 1, 25: 2, 26: 4, 27: 8}.get(ai)
        if size is None:
            if ai == 31:
                return None  # indefinite
            raise ValueError("bad additional info %d at %d" % (ai, self.i))
        v = int.from_bytes(self.d[self.i:self.i + size], "big")
        self.i += size
        return v

    def decode(self):
        ib = self.d[self.i]
        self.i += 1
        major, ai = ib >> 5, ib & 31
        if major == 7:
            if ai == 20:
                return False
            if ai == 21:
                return True
            if ai == 22:
                return None
            if ai == 23:
                return Simple("undefined")
            if ai == 25:
                v = struct.unpack(">e", self.d[self.i:self.i + 2])[0]
                self.i += 2
                return v
            if ai == 26:
                v = struct.unpack(">f", self.d[self.i:self.i + 4])[0]
                self.i += 4
                return v
            if ai == 27:
                v = struct.unpack(">d", self.d[self.i:self.i + 8])[0]
                self.i += 8
                return v
            if ai == 31:
                return BREAK
            return Simple(ai if ai < 24 else self._n(ai))
        n = self._n(ai)
        if major == 0:
            return n
        if major == 1:
            return -1 - n
        if major in (2, 3):
            if n is None:
                chunks = []
                while True:
                    c = self.decode()
                    if c is BREAK:
                        break
                    chunks.append(c)
                return (b"" if major == 2 else "").join(chunks)
            raw = bytes(self.d[self.i:self.i + n])
            self.i += n
            return raw if major == 2 else raw.decode("utf-8", "replace")
        if major == 4:
            out = []
            while n is None or len(out) < n:
                v = self.decode()
                if v is BREAK:
                    break
                out.append(v)
            return out
        if major == 5:
            out = []
            while n is None or len(out) < n:
                k = self.decode()
                if k is BREAK:
                    break
                out.append((k, self.decode()))
            return dict_pairs(out)
        if major == 6:
            return Tag(n, self.decode())
        raise ValueError("unknown major type")


class dict_pairs(list):
    """A CBOR map, kept as an ordered list of pairs (keys may be ints)."""


def diag(v, indent=0, decode_cose=False):
    pad = "  " * indent
    if isinstance(v, bytes):
        if not FULL and len(v) > 48:
            return "h'%s...%s' (%d bytes)" % (v[:24].hex(), v[-8:].hex(), len(v))
        return "h'%s'" % v.hex()
    if isinstance(v, str):
        return '"%s"' % v
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Simple):
        return "simple(%s)" % v.v
    if isinstance(v, Tag):
        if v.tag == 18 and decode_cose and isinstance(v.value, list) and len(v.value) == 4:
            return "18(" + diag_cose(v.value, indent) + ")"
        return "%d(%s)" % (v.tag, diag(v.value, indent, decode_cose))
    if isinstance(v, dict_pairs):
        if not v:
            return "{}"
        items = ["%s  %s: %s" % (pad, diag(k, indent + 1), diag(x, indent + 1, decode_cose)) for k, x in v]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(v, list):
        if not v:
            return "[]"
        items = ["%s  %s" % (pad, diag(x, indent + 1, decode_cose)) for x in v]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return repr(v)


def diag_cose(arr, indent):
    pad = "  " * indent
    prot, unprot, payload, sig = arr
    try:
        pdec = CborDecoder(prot).decode() if prot else dict_pairs()
        ptxt = "<<%s>> (protected bstr, %d bytes: h'%s%s')" % (
            diag(pdec, indent + 1), len(prot), prot[:16].hex(), "..." if len(prot) > 16 else "")
    except Exception as e:  # noqa: BLE001
        ptxt = diag(prot) + " (undecodable: %s)" % e
    return "[\n%s  %s,\n%s  %s,\n%s  %s,\n%s  %s (signature, %d bytes)\n%s]" % (
        pad, ptxt, pad, diag(unprot, indent + 1), pad, diag(payload, indent + 1),
        pad, diag(sig, indent + 1), len(sig) if isinstance(sig, bytes) else -1, pad)


# --------------------------------------------------------------- JUMBF ----
def read_box(buf, off, end):
    lbox, tbox = struct.unpack(">I4s", buf[off:off + 8])
    hdr = 8
    if lbox == 1:
        lbox = struct.unpack(">Q", buf[off + 8:off + 16])[0]
        hdr = 16
    elif lbox == 0:
        lbox = end - off
    return lbox, tbox, hdr


def parse_jumd(p):
    info = {"uuid": p[0:16].hex(), "toggles": p[16]}
    t = p[16]
    i = 17
    if t & 0x02:
        z = p.index(b"\0", i)
        info["label"] = p[i:z].decode("utf-8", "replace")
        i = z + 1
    if t & 0x04:
        info["id"] = struct.unpack(">I", p[i:i + 4])[0]
        i += 4
    if t & 0x08:
        info["hash"] = p[i:i + 32].hex()
        i += 32
    if t & 0x10:
        info["private"] = p[i:].hex()
        i = len(p)
    info["trailing"] = len(p) - i
    return info


def dump_boxes(buf, off, end, depth, out, ctx):
    pad = "  " * depth
    while off < end:
        if end - off < 8:
            out.append("%s!! %d trailing bytes: %s" % (pad, end - off, buf[off:end].hex()))
            return
        lbox, tbox, hdr = read_box(buf, off, end)
        name = tbox.decode("latin-1")
        body = buf[off + hdr:off + lbox]
        line = "%s@%d %s LBox=%d (hdr %d, payload %d)" % (pad, off, repr(name), lbox, hdr, lbox - hdr)
        if name == "jumb":
            whole = hashlib.sha256(buf[off:off + lbox]).hexdigest()
            nohdr = hashlib.sha256(body).hexdigest()
            out.append(line)
            out.append("%s  sha256(whole box)=%s" % (pad, whole))
            out.append("%s  sha256(box w/o LBox/TBox)=%s" % (pad, nohdr))
            dump_boxes(buf, off + hdr, off + lbox, depth + 1, out, ctx)
        elif name == "jumd":
            j = parse_jumd(body)
            uname = C2PA_UUIDS.get(j["uuid"], "?")
            out.append(line)
            out.append("%s  uuid=%s [%s]" % (pad, j["uuid"], uname))
            out.append("%s  toggles=0x%02x (requestable=%d label=%d id=%d hash=%d private=%d)" % (
                pad, j["toggles"], j["toggles"] & 1, (j["toggles"] >> 1) & 1, (j["toggles"] >> 2) & 1,
                (j["toggles"] >> 3) & 1, (j["toggles"] >> 4) & 1))
            for k in ("label", "id", "hash", "private"):
                if k in j:
                    out.append("%s  %s=%r" % (pad, k, j[k]))
            if j["trailing"]:
                out.append("%s  !! %d unparsed bytes in jumd" % (pad, j["trailing"]))
            ctx["label"] = j.get("label")
        elif name == "cbor":
            out.append(line)
            try:
                dec = CborDecoder(body)
                v = dec.decode()
                extra = len(body) - dec.i
                txt = diag(v, depth + 1, decode_cose=True)
                out.append("%s  cbor: %s" % (pad, txt))
                if extra:
                    out.append("%s  !! %d bytes after the CBOR item" % (pad, extra))
            except Exception as e:  # noqa: BLE001
                out.append("%s  !! CBOR decode failed: %s; hex %s" % (pad, e, body[:64].hex()))
        elif name == "json":
            out.append(line)
            out.append("%s  json: %s" % (pad, body.decode("utf-8", "replace")))
        else:
            out.append(line)
            out.append("%s  data: %s%s" % (pad, body[:48].hex(), "..." if len(body) > 48 else ""))
        off += lbox


# ----------------------------------------------------------- containers ---
def from_jpeg(data, out):
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    i = 2
    segs = {}
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            raise ValueError("lost marker sync at %d" % i)
        m = data[i + 1]
        if m == 0xD9 or m == 0xDA:
            out.append("JPEG marker FF%02X at %d (stop scanning)" % (m, i))
            break
        if 0xD0 <= m <= 0xD7 or m == 0x01:
            i += 2
            continue
        ln = struct.unpack(">H", data[i + 2:i + 4])[0]
        seg = data[i + 4:i + 2 + ln]
        desc = "JPEG segment FF%02X at %d, Lp=%d, total %d bytes" % (m, i, ln, ln + 2)
        if m == 0xEB and seg[:2] == b"JP":
            en, z = struct.unpack(">HI", seg[2:8])
            lbox, tbox = struct.unpack(">I4s", seg[8:16])
            desc += " [APP11 JUMBF CI='JP' En=%d Z=%d LBox=%d TBox=%r]" % (en, z, lbox, tbox)
            segs.setdefault(en, []).append((z, seg[8:]))
        out.append(desc)
        i += 2 + ln
    if not segs:
        raise ValueError("no APP11 JUMBF segments")
    en = sorted(segs)[0]
    parts = sorted(segs[en])
    store = bytearray(parts[0][1])
    for _, p in parts[1:]:
        store += p[8:]  # continuation segments repeat LBox/TBox
    return bytes(store)


def from_png(data, out):
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    i = 8
    store = None
    while i + 8 <= len(data):
        ln, typ = struct.unpack(">I4s", data[i:i + 8])
        out.append("PNG chunk %r at %d, length %d, total %d bytes (len+type+data+crc)" % (
            typ.decode("latin-1"), i, ln, ln + 12))
        if typ == b"caBX" and store is None:
            store = data[i + 8:i + 8 + ln]
        i += 12 + ln
        if typ == b"IEND":
            break
    if store is None:
        raise ValueError("no caBX chunk")
    return store


def from_webp(data, out):
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise ValueError("not a WebP")
    riff_size = struct.unpack("<I", data[4:8])[0]
    out.append("RIFF size field %d (file %d bytes, expect %d)" % (riff_size, len(data), len(data) - 8))
    i = 12
    store = None
    while i + 8 <= len(data):
        fourcc, ln = struct.unpack("<4sI", data[i:i + 8])
        extra = ""
        if fourcc == b"VP8X":
            extra = " flags=0x%02x" % data[i + 8]
        out.append("WebP chunk %r at %d, size %d, total %d bytes (hdr+data+pad)%s" % (
            fourcc.decode("latin-1"), i, ln, 8 + ln + (ln & 1), extra))
        if fourcc == b"C2PA" and store is None:
            store = data[i + 8:i + 8 + ln]
        i += 8 + ln + (ln & 1)
    if store is None:
        raise ValueError("no C2PA chunk")
    return store


def main(argv):
    global FULL
    args = [a for a in argv[1:] if not a.startswith("--")]
    FULL = "--full" in argv
    if len(args) != 1:
        sys.stderr.write(__doc__)
        return 64
    data = open(args[0], "rb").read()
    out = ["file %s, %d bytes" % (args[0], len(data))]
    try:
        if data[:2] == b"\xff\xd8":
            store = from_jpeg(data, out)
        elif data[:8] == b"\x89PNG\r\n\x1a\n":
            store = from_png(data, out)
        elif data[:4] == b"RIFF":
            store = from_webp(data, out)
        else:
            raise ValueError("unknown container")
    except ValueError as e:
        out.append("no manifest store: %s" % e)
        print("\n".join(out))
        return 2
    out.append("")
    out.append("manifest store: %d bytes, sha256 %s" % (len(store), hashlib.sha256(store).hexdigest()))
    dump_boxes(store, 0, len(store), 0, out, {})
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
