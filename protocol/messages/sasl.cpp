#include "protocol/messages/sasl.hpp"

namespace kafka {

void SaslHandshakeRequest::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<SaslHandshakeRequest> SaslHandshakeRequest::decode(Reader& r, int16_t version) {
    return decode_fields<SaslHandshakeRequest>(r, version);
}

void SaslHandshakeResponse::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<SaslHandshakeResponse> SaslHandshakeResponse::decode(Reader& r, int16_t version) {
    return decode_fields<SaslHandshakeResponse>(r, version);
}

void SaslAuthenticateRequest::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<SaslAuthenticateRequest> SaslAuthenticateRequest::decode(Reader& r, int16_t version) {
    return decode_fields<SaslAuthenticateRequest>(r, version);
}

void SaslAuthenticateResponse::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<SaslAuthenticateResponse> SaslAuthenticateResponse::decode(Reader& r, int16_t version) {
    return decode_fields<SaslAuthenticateResponse>(r, version);
}

}  // namespace kafka
