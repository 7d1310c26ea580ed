"""ITNs made and signed as PayFast makes them, for the payment tests."""

from urllib.parse import urlencode

from imbizo.billing.providers.payfast import itn_signature

# PayFast's documented sandbox merchant (developers.payfast.co.za, "Sandbox").
MERCHANT_ID, MERCHANT_KEY, PASSPHRASE = "10000100", "46f0cd694581a", "jt7NOE43FZPn"
PAYFAST = "https://sandbox.payfast.co.za"
VALIDATE = f"{PAYFAST}/eng/query/validate"
PAYFAST_IP = "197.97.145.145"  # in 197.97.145.144/28, one of PayFast's published networks


def itn(payment, *, status: str = "COMPLETE", pf_payment_id: str = "1579137",
        amount: str | None = None, merchant_id: str = MERCHANT_ID,
        passphrase: str = PASSPHRASE, **changes) -> dict[str, str]:
    """An ITN as PayFast posts it (its fields in PayFast's order), signed."""
    fields = {
        "m_payment_id": payment.m_payment_id if payment else "", "pf_payment_id": pf_payment_id,
        "payment_status": status, "item_name": "Account 1001", "item_description": "Aaa Local",
        "amount_gross": amount or f"{payment.amount:.2f}", "amount_fee": "-2.30",
        "amount_net": "12.70", "custom_str1": "AAA/1001", "custom_str2": "", "custom_str3": "",
        "custom_str4": "", "custom_str5": "", "custom_int1": "", "custom_int2": "",
        "custom_int3": "", "custom_int4": "", "custom_int5": "", "name_first": "Thandiwe",
        "name_last": "", "email_address": "thandi@example.org", "merchant_id": merchant_id}
    fields["signature"] = itn_signature(fields, passphrase)
    fields.update(changes)
    return fields


def post_itn(client, fields: dict, *, source: str = PAYFAST_IP, provider: str = "payfast"):
    return client.post(f"/pay/notify/{provider}", urlencode(fields),
                       content_type="application/x-www-form-urlencoded", REMOTE_ADDR=source)
