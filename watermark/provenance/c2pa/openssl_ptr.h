// Owning pointers for the OpenSSL objects the C2PA code uses; internal to
// the c2pa library.
#ifndef HALLMARK_WATERMARK_PROVENANCE_C2PA_OPENSSL_PTR_H_
#define HALLMARK_WATERMARK_PROVENANCE_C2PA_OPENSSL_PTR_H_

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>

namespace hallmark::c2pa {

template <typename T, void (*Free)(T*)>
struct OpenSslFree {
  void operator()(T* p) const { Free(p); }
};
template <typename T, void (*Free)(T*)>
using OpenSslPtr = std::unique_ptr<T, OpenSslFree<T, Free>>;

using PkeyPtr = OpenSslPtr<EVP_PKEY, EVP_PKEY_free>;
using X509Ptr = OpenSslPtr<X509, X509_free>;
using BioPtr = OpenSslPtr<BIO, BIO_free_all>;

}  // namespace hallmark::c2pa

#endif  // HALLMARK_WATERMARK_PROVENANCE_C2PA_OPENSSL_PTR_H_
