"""Throw-away certificate authorities and certificates for the TLS tests,
made with the openssl command line at test time (nothing is checked in).

    ca = Authority(directory, "ca1")
    server = ca.issue("server", server=True)   # SAN localhost, 127.0.0.1
    client = ca.issue("client")                # clientAuth
    server.cert, server.key, ca.cert           # PEM file paths
"""
import os
import subprocess


def _openssl(*args, cwd):
    result = subprocess.run(["openssl"] + list(args), cwd=cwd, capture_output=True, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)} failed:\n{result.stderr.decode()}")


class Issued:
    def __init__(self, cert, key):
        self.cert = cert
        self.key = key

    def read(self):
        """(certificate chain PEM, key PEM) as bytes, for grpc.ssl_channel_credentials."""
        with open(self.cert, "rb") as c, open(self.key, "rb") as k:
            return c.read(), k.read()


class Authority:
    """A self-signed EC P-256 CA in `directory`, files named after `name`."""

    def __init__(self, directory, name):
        self.directory = directory
        self.name = name
        self.cert = os.path.join(directory, f"{name}.pem")
        self.key = os.path.join(directory, f"{name}.key")
        _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                 "-nodes", "-keyout", self.key, "-out", self.cert, "-days", "2",
                 "-subj", f"/CN=hallmark test {name}",
                 "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=directory)

    def read_cert(self):
        with open(self.cert, "rb") as f:
            return f.read()

    def issue(self, name, server=False, c2pa=False):
        """A leaf certificate signed by this CA: a server's (for localhost and
        127.0.0.1), a C2PA claim signer's (the C2PA 2.x signing profile) or a
        client's."""
        stem = os.path.join(self.directory, f"{self.name}-{name}")
        key, csr, cert, ext = stem + ".key", stem + ".csr", stem + ".pem", stem + ".ext"
        with open(ext, "w") as f:
            if server:
                f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                        "extendedKeyUsage=serverAuth\n")
            elif c2pa:
                f.write("basicConstraints=critical,CA:FALSE\n"
                        "keyUsage=critical,digitalSignature\n"
                        "extendedKeyUsage=1.3.6.1.5.5.7.3.36,emailProtection\n"
                        "subjectKeyIdentifier=hash\n"
                        "authorityKeyIdentifier=keyid:always\n")
            else:
                f.write("extendedKeyUsage=clientAuth\n")
        _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", key, "-out", csr,
                 "-subj", f"/O=Hallmark tests/CN={name}" if c2pa else f"/CN={name}",
                 cwd=self.directory)
        _openssl("x509", "-req", "-in", csr, "-CA", self.cert, "-CAkey", self.key,
                 "-CAcreateserial", "-out", cert, "-days", "2", "-extfile", ext,
                 cwd=self.directory)
        return Issued(cert, key)
