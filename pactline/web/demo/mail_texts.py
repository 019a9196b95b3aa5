"""What the demo's customers write by email and what the agents answer, per agreement.

`{ref}`, `{n}`, `{name}`, `{first}`, `{item}` and `{weekday}` are filled in per message; the
signature's `{agent}` is one of the team."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    subject: str
    body: str
    reply: str


@dataclass(frozen=True)
class MailProfile:
    count: int
    topics: tuple[Topic, ...]
    customers: tuple[str, ...]
    refs: str  # the reference format, e.g. "NW-{n}"
    items: tuple[str, ...] = ("order",)
    signature: str = "{agent}"
    team: tuple[str, ...] = ("Customer Care",)  # who signs the replies


_NW_SIGN = "{agent}\nNorthwind Retail Customer Care"
_KE_SIGN = "{agent}\nKestrel Energy Customer Service"
_MT_SIGN = "{agent}\nMeridian Telecom Billing Support"

PROFILES: dict[str, MailProfile] = {
    "NWR-CC-2026-001": MailProfile(
        count=20,
        refs="NW-{n}",
        signature=_NW_SIGN,
        team=("Ana Torres", "Marcus Bell", "Grace Liu"),
        items=("floor lamp", "linen duvet cover", "walnut side table", "rain jacket",
               "running shoes", "ceramic dinner set", "desk chair", "wool throw", "bookcase"),
        customers=("Maria Gonzalez", "James Carter", "Aisha Bello", "Tom Becker", "Emily Chen",
                   "Robert Walsh", "Sofia Rossi", "David Okafor", "Laura Schmidt", "Kevin O'Brien",
                   "Nina Patel", "Chris Baker", "Hana Sato", "Peter Novak", "Grace Adeyemi"),
        topics=(
            Topic("Where is my order {ref}?",
                  "Hi,\n\nI ordered a {item} last {weekday} and the tracking hasn't moved for four "
                  "days. Order {ref}. Can you check what is going on?\n\nThanks,\n{first}",
                  "Hi {first},\n\nThanks for your patience. Your parcel was held at the regional "
                  "depot after a scanning fault; it is moving again and should reach you within "
                  "two business days. I've added a $10 credit to your account for the delay."),
            Topic("Return label for order {ref}",
                  "Hello,\n\nI'd like to return the {item} from order {ref}; it isn't what I "
                  "expected. Could you send me a return label?\n\nBest,\n{first}",
                  "Hi {first},\n\nI've sent a prepaid return label to this address. Drop the "
                  "parcel at any post office within 30 days; the refund reaches your card within "
                  "5 business days of the return arriving."),
            Topic("Refund still not received",
                  "Good morning,\n\nI returned a {item} three weeks ago (order {ref}) and still "
                  "have no refund. Tracking shows it was delivered to your warehouse.\n\n{name}",
                  "Hi {first},\n\nI'm sorry for the wait. The return was received but not "
                  "scanned; I've processed the refund now and you'll see it within 3-5 business "
                  "days."),
            Topic("Change delivery address for {ref}",
                  "Hi there,\n\nCould you deliver order {ref} to my office instead? 410 Park "
                  "Avenue, 12th floor, New York, NY 10022.\n\nThank you,\n{first}",
                  "Hi {first},\n\nDone: order {ref} will now go to 410 Park Avenue, 12th floor. "
                  "The delivery date stays the same."),
            Topic("Loyalty points missing",
                  "Hello,\n\nMy points for order {ref} never showed up in the app. Could you "
                  "look into it?\n\n{name}",
                  "Hi {first},\n\nThe points for {ref} were held back by a till fault in the "
                  "store. I've credited them by hand; they show in the app within the hour."),
            Topic("Question about the {item} warranty",
                  "Hi,\n\nHow long is the warranty on the {item} I bought (order {ref}), and "
                  "does it cover accidental damage?\n\nRegards,\n{first}",
                  "Hi {first},\n\nThe {item} has a two-year manufacturer's warranty against "
                  "defects; accidental damage isn't covered, but our protection plan can be added "
                  "within 30 days of purchase."),
            Topic("Discount code not working",
                  "Hi,\n\nThe code WELCOME15 says it is invalid at checkout. I signed up for the "
                  "newsletter yesterday.\n\n{first}",
                  "Hi {first},\n\nThe code was issued to a different email address by mistake. "
                  "I've created a new one for you: NWR-15-{n}. It is valid for 30 days."),
            Topic("Cancel order {ref}",
                  "Hello,\n\nPlease cancel order {ref}; I ordered the wrong size by mistake."
                  "\n\nMany thanks,\n{name}",
                  "Hi {first},\n\nOrder {ref} is cancelled and the authorisation on your card "
                  "has been released; it disappears from your statement within a few days."),
            Topic("Wrong colour delivered",
                  "Hi,\n\nI ordered the {item} in grey but received beige (order {ref}). Can "
                  "you swap it?\n\n{first}",
                  "Hi {first},\n\nSorry about the mix-up. A grey one is on its way and the "
                  "courier will collect the beige one when it arrives."),
        ),
    ),
    "KE-CALL-2026-07": MailProfile(
        count=18,
        refs="KE{n}",
        signature=_KE_SIGN,
        team=("Olivia Brown", "Liam Murphy"),
        items=("electricity", "gas"),
        customers=("Olivia Harris", "Jack Thompson", "Charlotte King", "William Nguyen",
                   "Amelia Scott", "Henry Walker", "Isla Mitchell", "Oliver Young",
                   "Ruby Campbell", "Lachlan Reid", "Matilda Hughes", "Cooper Ward"),
        topics=(
            Topic("Bill higher than usual - account {ref}",
                  "Hi,\n\nMy latest {item} bill is nearly double the last one and nothing has "
                  "changed at home. Account {ref}. Could someone check it?\n\n{name}",
                  "Hi {first},\n\nThe bill used an estimated read because the meter couldn't "
                  "be reached. With the actual read it comes down by $186; the corrected bill "
                  "is on its way."),
            Topic("Meter reading for account {ref}",
                  "Hello,\n\nHere is my {item} meter reading as of this morning: 0{n}. Account "
                  "{ref}.\n\nThanks,\n{first}",
                  "Hi {first},\n\nThanks, the reading is on your account and your next bill "
                  "will use it instead of an estimate."),
            Topic("Moving house - account {ref}",
                  "Hi,\n\nWe're moving out on the 30th. Please arrange a final read and close "
                  "account {ref}. New address to follow.\n\n{first}",
                  "Hi {first},\n\nThe final read is booked for the 30th and the account will "
                  "close after it. Just reply with your new address to keep your supply with "
                  "us."),
            Topic("Payment plan request",
                  "Hello,\n\nI'm struggling to pay the full bill this quarter (account {ref}). "
                  "Can I pay it in instalments?\n\n{name}",
                  "Hi {first},\n\nOf course. I've set up fortnightly instalments of $64 over "
                  "the next three months; no late fees apply while the plan is kept."),
            Topic("Change direct debit date",
                  "Hi,\n\nCould my direct debit for account {ref} come out on the 15th instead "
                  "of the 1st?\n\nCheers,\n{first}",
                  "Hi {first},\n\nDone: from next month the direct debit is taken on the "
                  "15th."),
            Topic("Concession card details",
                  "Hello,\n\nI now have a pensioner concession card. How do I get the discount "
                  "on account {ref}?\n\n{name}",
                  "Hi {first},\n\nPlease reply with the card number and expiry as shown on the "
                  "card (not a bank card); the concession is applied from the date we receive "
                  "it."),
            Topic("Solar feed-in credit missing",
                  "Hi,\n\nMy last two bills show no solar feed-in credit. Account {ref}.\n\n"
                  "{first}",
                  "Hi {first},\n\nThe export channel of your meter wasn't read after the meter "
                  "was replaced. The missing credit of $112.40 appears on your next bill."),
        ),
    ),
    "MT-CS-2026-042": MailProfile(
        count=19,
        refs="MRD{n}",
        signature=_MT_SIGN,
        team=("Diya Patel", "Arjun Nair", "Kavya Menon"),
        items=("postpaid mobile", "fibre broadband"),
        customers=("Rajesh Kumar", "Priya Sharma", "Anil Mehta", "Sunita Rao", "Vivek Menon",
                   "Deepa Iyer", "Sanjay Gupta", "Lakshmi Narayan", "Imran Khan", "Neha Joshi",
                   "Arvind Pillai", "Kavitha Reddy"),
        topics=(
            Topic("Roaming charges on my bill ({ref})",
                  "Dear team,\n\nMy {item} bill for account {ref} shows roaming charges of "
                  "Rs 1,840 but I never left Mumbai. Please reverse them.\n\nRegards,\n{name}",
                  "Dear {first},\n\nThe charges came from a network registration error near "
                  "the coast. They have been reversed and the credit shows on your next bill."),
            Topic("GST invoice required for account {ref}",
                  "Hello,\n\nPlease send the GST invoice for last month's {item} bill with our "
                  "GSTIN 29ABCDE1234F1Z5. Account {ref}.\n\n{name}",
                  "Dear {first},\n\nThe GST invoice with your GSTIN is attached to your account "
                  "and emailed separately."),
            Topic("Double payment this month",
                  "Hi,\n\nI paid my bill twice by mistake (UPI and auto-debit). Account {ref}. "
                  "Please refund one payment.\n\n{first}",
                  "Dear {first},\n\nWe've confirmed the duplicate payment; the refund goes back "
                  "to the original UPI account within 5-7 working days."),
            Topic("Itemised bill request",
                  "Dear Sir/Madam,\n\nKindly share an itemised bill for account {ref} for the "
                  "last three months.\n\nThanks,\n{name}",
                  "Dear {first},\n\nThe itemised bills for the last three months are now in "
                  "your account under Bills > Download."),
            Topic("Change of billing address",
                  "Hello,\n\nPlease update the billing address of account {ref} to 14, 2nd "
                  "Cross, Indiranagar, Bengaluru 560038.\n\n{first}",
                  "Dear {first},\n\nThe billing address is updated; your next bill will show "
                  "it."),
            Topic("Late payment fee waiver",
                  "Hi,\n\nI was charged a late fee on account {ref} although the auto-debit "
                  "failed on your side. Can this be waived?\n\n{name}",
                  "Dear {first},\n\nYou are right: the mandate failed at our end. The late fee "
                  "is waived and the credit is on your account."),
        ),
    ),
}  # fmt: skip
