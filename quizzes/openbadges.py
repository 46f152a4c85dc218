"""Completion records as Open Badges 3.0 credentials, signed as VC-JWT (ES256).

The signing key comes from settings.OPENBADGES_PRIVATE_KEY (PEM), or is derived from the
secret key so every worker signs with the same key without extra set-up. Its public half is
published as a JWK Set at /.well-known/jwks.json; the JWT header's `kid` points into it.
"""

import base64
import gzip
import hashlib
import uuid
from datetime import datetime

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from jwt.algorithms import ECAlgorithm

from smptraining.links import absolute_reverse, absolute_url

from .models import STATUS_LIST_SIZE, CompletionRecord
from .records import issuer_details

ALGORITHM = "ES256"
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)


def signing_key() -> ec.EllipticCurvePrivateKey:
    if settings.OPENBADGES_PRIVATE_KEY:
        return serialization.load_pem_private_key(
            settings.OPENBADGES_PRIVATE_KEY.encode(), password=None
        )
    seed = hashlib.sha256(f"openbadges-signing-key:{settings.SECRET_KEY}".encode()).digest()
    order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551  # P-256's n
    return ec.derive_private_key(int.from_bytes(seed, "big") % (order - 1) + 1, ec.SECP256R1())


def public_jwk() -> dict:
    key = ECAlgorithm.to_jwk(signing_key().public_key(), as_dict=True)
    thumbprint = jwt.utils.base64url_encode(
        hashlib.sha256(
            f'{{"crv":"{key["crv"]}","kty":"{key["kty"]}","x":"{key["x"]}","y":"{key["y"]}"}}'.encode()
        ).digest()
    ).decode()
    kid = f"{absolute_reverse('quizzes:jwks')}#{thumbprint}"
    return {**key, "kid": kid, "use": "sig", "alg": ALGORITHM, "iss": issuer_id()}


def jwks() -> dict:
    return {"keys": [public_jwk()]}


def issuer_id() -> str:
    return absolute_reverse("quizzes:issuer_profile")


def issuer_profile() -> dict:
    issuer = issuer_details()
    profile = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": issuer_id(),
        "type": ["Profile"],
        "name": issuer["name"],
        "url": issuer["url"],
    }
    if issuer["logo"]:  # wallets show it beside the badge
        profile["image"] = {"id": absolute_url(issuer["logo"]), "type": "Image"}
    return profile


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def credential_id(record: CompletionRecord) -> str:
    """A URN naming the credential: it identifies it without revealing its verification code."""
    digest = hashlib.sha256(f"credential:{record.verification_code}".encode()).digest()
    return f"urn:uuid:{uuid.UUID(bytes=digest[:16], version=4)}"


def credential(record: CompletionRecord) -> dict:
    """The record as an OpenBadgeCredential (unsigned JSON)."""
    topics = ", ".join(t["name"] for t in record.topics)
    narrative = (
        f"Passed the {record.quiz_title} with {record.score:.0f}%, meeting the overall pass "
        f"mark and the minimum score in every topic: {topics}."
    )
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_id(record),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{record.quiz_title}: {record.holder_name}",
        "issuer": {k: v for k, v in issuer_profile().items() if k != "@context"},
        "validFrom": _iso(record.issued_at),
        "validUntil": _iso(record.expires_at),
        "awardedDate": _iso(record.issued_at),
        "credentialSubject": {
            # The holder, named per record; the email leaves the site only as a salted hash.
            "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, credential_id(record) + '#holder')}",
            "type": ["AchievementSubject"],
            **_identifier(record),
            "activityEndDate": _iso(record.issued_at),
            "achievement": {
                "id": absolute_reverse("quizzes:quiz_detail", args=[record.quiz.slug]),
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": record.quiz_title,
                "description": _achievement_description(record),
                "criteria": {"narrative": narrative},
            },
        },
        "evidence": [training_record(record)],
        "credentialStatus": status_entry(record),
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }


def _achievement_description(record: CompletionRecord) -> str:
    """What the certification covered: the topics the record itself lists, as assessed."""
    covered = "; ".join(topic["name"] for topic in record.topics)
    lead = "Safety training for scalp micropigmentation practitioners"
    return f"{lead}, covering: {covered}." if covered else f"{lead}."


def training_record(record: CompletionRecord) -> dict:
    """What an inspector asks of a training record (OSHA 29 CFR 1910.1030(h)(2)), as evidence:
    the date, the content and study time, the trainer and their qualification, the trainee and
    their job title."""
    lines = [
        f"Training date: {record.issued_at:%Y-%m-%d}.",
        f"Content: {', '.join(t['name'] for t in record.topics)}.",
    ]
    if record.study_hours is not None:
        lines.append(f"Study time: {float(record.study_hours):g} hours.")
    if record.assessment_minutes is not None:
        lines.append(f"Time in the assessment: {record.assessment_minutes} minutes.")
    if record.trainer_name:
        trainer = ", ".join(filter(None, [record.trainer_name, record.trainer_qualification]))
        lines.append(f"Trainer: {trainer}.")
    trainee = ", ".join(filter(None, [record.holder_name, record.holder_job_title]))
    lines.append(f"Trainee: {trainee}.")
    return {"type": ["Evidence"], "name": "Training record", "narrative": "\n".join(lines)}


def _identifier(record: CompletionRecord) -> dict:
    """The holder's email as an IdentityObject a wallet can match, when the record has one."""
    if not record.identity_hash:
        return {}
    return {
        "identifier": [
            {
                "type": "IdentityObject",
                "identityHash": record.identity_hash,
                "identityType": "emailAddress",
                "hashed": True,
                "salt": record.identity_salt,
            }
        ]
    }


def _sign(claims: dict) -> str:
    return jwt.encode(
        claims,
        signing_key(),
        algorithm=ALGORITHM,
        headers={"kid": public_jwk()["kid"], "typ": "JWT"},
    )


def signed_credential(record: CompletionRecord) -> str:
    """The credential as a compact JWS (VC-JWT): the credential plus registered claims."""
    body = credential(record)
    return _sign(
        {
            **body,
            "iss": body["issuer"]["id"],
            "jti": body["id"],
            "sub": body["credentialSubject"]["id"],
            "nbf": int(record.issued_at.timestamp()),
            "exp": int(record.expires_at.timestamp()),
        }
    )


# --- Revocation: a W3C Bitstring Status List (https://www.w3.org/TR/vc-bitstring-status-list/)


def status_list_id() -> str:
    return absolute_reverse("quizzes:status_list")


def status_entry(record: CompletionRecord) -> dict:
    """The credential's `credentialStatus`: its bit in the issuer's revocation list."""
    return {
        "id": f"{status_list_id()}#{record.status_list_index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(record.status_list_index),
        "statusListCredential": status_list_id(),
    }


def encoded_status_list() -> str:
    """Every record's revocation bit, GZIP-compressed, as multibase base64url. One query.

    Index 0 is the left-most bit of the first byte; a set bit means revoked. Every list has
    STATUS_LIST_SIZE bits whatever the number of records, so fetching it says nothing about
    which record a verifier is checking.
    """
    bits = bytearray(STATUS_LIST_SIZE // 8)
    revoked = CompletionRecord.objects.exclude(revoked_at=None).values_list(
        "status_list_index", flat=True
    )
    for index in revoked.iterator():
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def status_list_credential(now: datetime) -> dict:
    """The BitstringStatusListCredential as of `now` (unsigned JSON). One query."""
    return {
        "@context": [VC_CONTEXT],
        "id": status_list_id(),
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(),
        "validFrom": _iso(now),
        "credentialSubject": {
            "id": f"{status_list_id()}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_status_list(),
        },
    }


def signed_status_list_credential(now: datetime) -> str:
    """The status list credential as a VC-JWT, signed like the badges. One query."""
    body = status_list_credential(now)
    return _sign(
        {
            **body,
            "iss": body["issuer"],
            "jti": body["id"],
            "sub": body["credentialSubject"]["id"],
            "iat": int(now.timestamp()),
            "nbf": int(now.timestamp()),
        }
    )
