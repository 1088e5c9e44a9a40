"""Synthetic exports of shapes the project has never been tuned on, generated deterministically.

Two exports, each written to a folder of its own with a SOURCE.txt that says it is synthetic:

- ``consumer_complaints_en`` — an English consumer-complaints CSV shaped like a public financial
  regulator's complaint database (date received, product, sub-product, issue, sub-issue, free-text
  narrative, company, state, submitted via, company response, timely response, consumer disputed,
  complaint id). Skewed like the real thing: one long-named product takes ~40% of the rows, a few
  large companies and a long tail of small ones (over 200 distinct), a third of the narratives
  empty, redacted "XXXX" in the text, volume growing over two years.
- ``citizen_hotline_zh`` — a Chinese citizen-hotline (12345-style) export as .xlsx: 留言编号,
  留言时间 (text date-times, a few cells stored as Excel serial numbers), 留言主题, 留言详情,
  一级分类, 所属区县, 答复时间 (real Excel dates; empty when not yet answered), 答复意见, 满意度.
  A few message ids appear twice, filed under a second category.

Company, district and people names are invented. The same seed and size always give the same
bytes (the .xlsx is written with fixed document and zip timestamps).

``python -m servicelens.evals.exports --out DIR`` writes both; ``--only NAME`` and ``--rows N``
narrow it down. Question banks name a generator in their workspace recipe (``generate:``) and the
bank runner calls :func:`generate` when the folder is absent.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import zipfile
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

# Bump an export's version when its data changes, so cached bank workspaces are rebuilt.
VERSIONS = {"consumer_complaints_en": 2, "citizen_hotline_zh": 3}
SEED = 20261205
_FIXED_TIME = datetime(2026, 1, 1, 0, 0, 0)
_EXCEL_EPOCH = datetime(1899, 12, 30)


class ExportError(ValueError):
    """An unknown generator or a size that cannot make a sensible export."""


def _pick(rng: random.Random, weighted: Sequence[tuple[str, float]]) -> str:
    values = [v for v, _ in weighted]
    weights = [w for _, w in weighted]
    return rng.choices(values, weights=weights, k=1)[0]


# --------------------------------------------------------------------------------------------
# (a) Consumer complaints, English CSV

# product -> (weight, sub-products, {issue: (weight, [sub-issues])}, [narrative phrases by issue])
_CREDIT = "Credit reporting, credit repair services, or other personal consumer reports"
_PRODUCTS: dict[str, tuple[float, list[tuple[str, float]], dict[str, tuple[float, list[str]]]]] = {
    _CREDIT: (
        0.40,
        [("Credit reporting", 0.9), ("Other personal consumer report", 0.07),
         ("Credit repair services", 0.03)],
        {
            "Incorrect information on your report": (0.55, [
                "Information belongs to someone else", "Account status incorrect",
                "Account information incorrect", "Personal information incorrect"]),
            "Problem with a credit reporting company's investigation into an existing problem": (
                0.25, ["Their investigation did not fix an error on your report",
                       "Was not notified of investigation status or results",
                       "Investigation took more than 30 days"]),
            "Improper use of your report": (0.15, [
                "Reporting company used your report improperly",
                "Credit inquiries on your report that you don't recognize"]),
            "Unable to get your credit report or credit score": (0.05, [
                "Problem getting your free annual credit report",
                "Other problem getting your report or credit score"]),
        },
    ),
    "Debt collection": (
        0.16,
        [("I do not know", 0.3), ("Other debt", 0.2), ("Credit card debt", 0.2),
         ("Medical debt", 0.2), ("Auto debt", 0.1)],
        {
            "Attempts to collect debt not owed": (0.5, [
                "Debt is not yours", "Debt was paid", "Debt was result of identity theft"]),
            "Written notification about debt": (0.25, [
                "Didn't receive enough information to verify debt",
                "Didn't receive notice of right to dispute"]),
            "Communication tactics": (0.15, [
                "Frequent or repeated calls", "Used obscene, profane, or other abusive language"]),
            "False statements or representation": (0.10, ["Attempted to collect wrong amount"]),
        },
    ),
    "Credit card or prepaid card": (
        0.10,
        [("General-purpose credit card or charge card", 0.75), ("Store credit card", 0.2),
         ("General-purpose prepaid card", 0.05)],
        {
            "Problem with a purchase shown on your statement": (0.4, [
                "Credit card company isn't resolving a dispute about a purchase on your statement",
                "Card was charged for something you did not purchase with the card"]),
            "Fees or interest": (0.3, ["Problem with fees", "Charged too much interest"]),
            "Closing your account": (0.15, ["Company closed your account"]),
            "Getting a credit card": (0.15, ["Card opened without my consent or knowledge"]),
        },
    ),
    "Checking or savings account": (
        0.09,
        [("Checking account", 0.8), ("Savings account", 0.15),
         ("Other banking product or service", 0.05)],
        {
            "Managing an account": (0.45, [
                "Deposits and withdrawals", "Banking errors",
                "Funds not handled or disbursed as instructed"]),
            "Problem caused by your funds being low": (0.25, ["Overdrafts and overdraft fees"]),
            "Opening an account": (0.15, ["Account opened as a result of fraud"]),
            "Closing an account": (0.15, [
                "Company closed your account", "Can't close your account"]),
        },
    ),
    "Mortgage": (
        0.07,
        [("Conventional home mortgage", 0.6), ("FHA mortgage", 0.2), ("VA mortgage", 0.1),
         ("Home equity loan or line of credit (HELOC)", 0.1)],
        {
            "Trouble during payment process": (0.5, []),
            "Struggling to pay mortgage": (0.25, []),
            "Applying for a mortgage or refinancing an existing mortgage": (0.15, []),
            "Closing on a mortgage": (0.10, []),
        },
    ),
    "Money transfer, virtual currency, or money service": (
        0.07,
        [("Domestic (US) money transfer", 0.4), ("Mobile or digital wallet", 0.35),
         ("Virtual currency", 0.15), ("International money transfer", 0.1)],
        {
            "Fraud or scam": (0.45, []),
            "Unauthorized transactions or other transaction problem": (0.35, []),
            "Other transaction problem": (0.20, []),
        },
    ),
    "Student loan": (
        0.04,
        [("Federal student loan servicing", 0.8), ("Private student loan", 0.2)],
        {
            "Dealing with your lender or servicer": (0.6, [
                "Received bad information about your loan",
                "Trouble with how payments are being handled"]),
            "Struggling to repay your loan": (0.4, ["Problem lowering your monthly payments"]),
        },
    ),
    "Vehicle loan or lease": (
        0.04,
        [("Loan", 0.85), ("Lease", 0.15)],
        {
            "Managing the loan or lease": (0.5, ["Billing problem", "Problem with fees charged"]),
            "Struggling to pay your loan": (0.3, ["Denied request to lower payments"]),
            "Problems at the end of the loan or lease": (0.2, [
                "Unable to receive car title or other problem after the loan is paid off"]),
        },
    ),
    "Payday loan, title loan, or personal loan": (
        0.03,
        [("Installment loan", 0.5), ("Payday loan", 0.3), ("Title loan", 0.1),
         ("Personal line of credit", 0.1)],
        {
            "Charged fees or interest you didn't expect": (0.6, []),
            "Getting the loan": (0.4, []),
        },
    ),
}  # fmt: skip

# Narrative openings by issue: several wordings of the same complaint.
_NARRATIVE: dict[str, list[str]] = {
    "Incorrect information on your report": [
        "There is an account on my credit report that does not belong to me.",
        "My credit file shows a late payment that never happened; I have always paid on time.",
        "The balance reported by XXXX is wrong and it is dragging my score down.",
        "A collection account I have never heard of appeared on my report on XX/XX/{year}.",
        "My address and name are misspelled on my report and they mixed my file with someone else.",
    ],
    "Problem with a credit reporting company's investigation into an existing problem": [
        "I disputed this inaccurate item twice and the bureau simply verified it without checking.",
        "I sent my dispute by certified mail on XX/XX/{year} and never heard back about the "
        "results.",
        "They told me the investigation would take 30 days. It has been over two months.",
        "The reinvestigation came back 'verified' even though I included proof the debt was paid.",
    ],
    "Improper use of your report": [
        "There are hard inquiries on my report from lenders I never applied with.",
        "Someone pulled my credit without my permission; I did not authorize this inquiry.",
        "My information was used after the data breach and now I see inquiries I don't recognize.",
    ],
    "Unable to get your credit report or credit score": [
        "I have tried for weeks to get my free annual report online and the site keeps failing.",
        "They refuse to send me a copy of my credit file even after I verified my identity.",
    ],
    "Attempts to collect debt not owed": [
        "A collector keeps trying to collect a debt that is not mine.",
        "I paid this account in full in {year} and they are still trying to collect it.",
        "This debt is the result of identity theft; I filed a police report and an FTC report.",
        "They say I owe {amount} for a medical bill my insurance already covered.",
    ],
    "Written notification about debt": [
        "I asked for validation of the debt and never received any documents.",
        "I never got a letter telling me I could dispute this debt before it was reported.",
    ],
    "Communication tactics": [
        "They call me five or six times a day, including at work, after I asked them to stop.",
        "The agent was rude and used abusive language on the phone.",
        "I get robocalls every morning about a debt; the calls are harassing.",
    ],
    "False statements or representation": [
        "The collector is demanding {amount} but the original balance was much lower.",
        "They threatened to sue me and garnish my wages, which they cannot legally do.",
    ],
    "Problem with a purchase shown on your statement": [
        "I disputed a charge of {amount} from a merchant who never delivered and the bank "
        "denied it.",
        "There are charges on my statement I did not make; someone used my card number.",
        "The card company reversed my dispute credit without explanation.",
    ],
    "Fees or interest": [
        "I was charged a late fee even though my payment was made before the due date.",
        "My interest rate went up without notice and I am paying far more interest.",
        "They charged an annual fee on a card that was advertised as no fee.",
    ],
    "Closing your account": [
        "My credit card was closed without warning while I was traveling.",
        "The bank closed my card account and will not tell me why.",
    ],
    "Getting a credit card": [
        "A store card was opened in my name that I never applied for.",
        "I was approved for a card and then the offer was withdrawn.",
    ],
    "Managing an account": [
        "My deposit of {amount} was never credited to my checking account.",
        "The bank put a hold on my funds for over ten days with no explanation.",
        "A wire I sent was not processed as instructed and the money is missing.",
    ],
    "Problem caused by your funds being low": [
        "I was charged three overdraft fees in one day for small purchases.",
        "The bank reordered my transactions so that I paid more overdraft fees.",
        "Overdraft fees of {amount} were taken from my account even though I opted out.",
    ],
    "Opening an account": [
        "Someone opened a checking account in my name using my stolen identity.",
        "I could not open an account because of a report I have never seen.",
    ],
    "Closing an account": [
        "The bank closed my savings account and has not mailed my remaining balance.",
        "I asked to close my account three times and they keep charging monthly fees.",
    ],
    "Trouble during payment process": [
        "My mortgage servicer misapplied my payment and reported me late.",
        "After the loan was transferred to a new servicer, my escrow payment jumped with no "
        "notice.",
        "They did not credit my payment of {amount} and now charge late fees.",
    ],
    "Struggling to pay mortgage": [
        "I applied for a loan modification months ago and they keep losing my documents.",
        "I lost my job and asked for forbearance but the servicer started foreclosure instead.",
    ],
    "Applying for a mortgage or refinancing an existing mortgage": [
        "The lender changed my rate at the last minute during the refinance.",
        "My application has been in underwriting for three months with no answer.",
    ],
    "Closing on a mortgage": [
        "The closing was delayed twice and I had to pay extra fees to extend my rate lock.",
    ],
    "Fraud or scam": [
        "I was scammed by a seller and sent {amount} through the app; they refuse to help.",
        "I sent money to someone posing as my bank and the transfer service will not refund it.",
    ],
    "Unauthorized transactions or other transaction problem": [
        "Money was taken out of my digital wallet without my permission.",
        "My account was hacked and several transfers were made that I did not authorize.",
    ],
    "Other transaction problem": [
        "My transfer has been pending for a week and customer service cannot tell me why.",
        "The exchange froze my account and I cannot withdraw my funds.",
    ],
    "Dealing with your lender or servicer": [
        "My student loan servicer gave me wrong information about forgiveness.",
        "My payments were applied to the wrong loan and I was reported late.",
    ],
    "Struggling to repay your loan": [
        "I cannot afford my student loan payment and the servicer refused an income-driven plan.",
    ],
    "Managing the loan or lease": [
        "The auto lender charged me fees I never agreed to.",
        "My car payment was made on time but the lender says it was late.",
    ],
    "Struggling to pay your loan": [
        "I asked the lender to lower my car payment after a hardship and was denied.",
    ],
    "Problems at the end of the loan or lease": [
        "I paid off my car loan months ago and still have not received the title.",
    ],
    "Charged fees or interest you didn't expect": [
        "The personal loan charged far more interest than I was told.",
        "They added fees of {amount} to my payday loan that were never disclosed.",
    ],
    "Getting the loan": [
        "The lender approved me and then cancelled the loan the day before funding.",
    ],
}
# Middle sentences with details, so that narratives differ as real ones do.
_DETAILS = [
    "I have called them {n} times since {month} and each time I am told to wait.",
    "This has been going on since {month} {year}.",
    "The account ending in XXXX is the one affected.",
    "I spoke with a representative named XXXX on XX/XX/{year} who promised a call back.",
    "I sent {n} letters and copies of my bank statements.",
    "It has been {n} weeks and nothing has changed.",
    "I am a {job} and I cannot afford this.",
    "",
]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]  # fmt: skip
_JOBS = ["nurse", "teacher", "veteran", "single mother", "retired senior", "student", "driver"]
_CLOSINGS = [
    "I want this removed from my report.",
    "Please help me resolve this.",
    "I have contacted the company several times with no result.",
    "This is causing me a lot of stress.",
    "I am requesting that they correct this immediately.",
    "",
]

# Companies: a few large ones per product, then a long tail of small firms (over 200 in all).
_MAIN_COMPANIES: dict[str, list[tuple[str, float]]] = {
    _CREDIT: [("Meridian Credit Bureau, Inc.", 0.36), ("Keystone Consumer Data LLC", 0.31),
              ("TransNation Credit Reporting", 0.27), ("Clearview Score Services", 0.03)],
    "Debt collection": [("Allied Recovery Partners", 0.14), ("Portfolio Collections Group", 0.1),
                        ("Summit Receivables LLC", 0.07)],
    "Credit card or prepaid card": [("Harborline Bank, N.A.", 0.3), ("Redwood Card Services", 0.2),
                                    ("Cascade National Bank", 0.15)],
    "Checking or savings account": [("Harborline Bank, N.A.", 0.28),
                                    ("Cascade National Bank", 0.2),
                                    ("Union Ledger Bank", 0.15)],
    "Mortgage": [("Bluestone Mortgage Servicing", 0.3), ("Harborline Bank, N.A.", 0.15),
                 ("First Summit Financial Corp", 0.12)],
    "Money transfer, virtual currency, or money service": [
        ("SwiftSend Payments", 0.35), ("CoinHarbor Exchange", 0.2), ("Union Ledger Bank", 0.05)],
    "Student loan": [("Scholarline Loan Servicing", 0.55), ("Campus Capital Finance", 0.25)],
    "Vehicle loan or lease": [("Northgate Auto Finance", 0.35), ("Cascade National Bank", 0.1)],
    "Payday loan, title loan, or personal loan": [("QuickBridge Lending", 0.4),
                                                  ("Evergreen Installment Loans", 0.2)],
}  # fmt: skip
_TOWNS = [
    "Ashford",
    "Bayview",
    "Brookfield",
    "Cedar Falls",
    "Clearwater",
    "Dunmore",
    "Eastgate",
    "Fairhaven",
    "Glenwood",
    "Granite City",
    "Hillcrest",
    "Kingsport",
    "Lakeside",
    "Maple Grove",
    "Millbrook",
    "Northfield",
    "Oakridge",
    "Pine Bluff",
    "Riverton",
    "Rockport",
    "Silver Lake",
    "Springdale",
    "Stonebridge",
    "Sunnyvale",
    "Westbrook",
    "Willow Creek",
    "Woodland",
    "Yorktown",
]
_SURNAMES = [
    "Abbott",
    "Barlow",
    "Carver",
    "Dalton",
    "Ellison",
    "Fletcher",
    "Garrison",
    "Hale",
    "Ingram",
    "Jennings",
    "Keller",
    "Lambert",
    "Mercer",
    "Norris",
    "Osborne",
    "Prescott",
    "Quinn",
    "Ramsey",
]
_TAIL_KINDS = {
    "Debt collection": ["{s} & {t} Collections LLC", "{town} Recovery Services", "{s} Law Group"],
    "Checking or savings account": ["{town} Community Bank", "{town} Federal Credit Union"],
    "Credit card or prepaid card": ["{town} Federal Credit Union", "{town} Savings Bank"],
    "Mortgage": ["{town} Home Loans", "{s} Mortgage Company"],
    "Vehicle loan or lease": ["{town} Auto Credit", "{s} Motor Finance"],
    "Payday loan, title loan, or personal loan": ["{s} Cash Advance", "{town} Title Loans"],
    "Money transfer, virtual currency, or money service": ["{s} Remit", "{town} Pay"],
    "Student loan": ["{s} Education Lending", "{town} Student Finance"],
    _CREDIT: ["{s} Credit Repair", "{town} Tenant Screening"],
}

_STATES = [
    ("FL", 12), ("CA", 11), ("TX", 11), ("GA", 7), ("NY", 6.5), ("IL", 4), ("PA", 4),
    ("NC", 3.5), ("NJ", 3.2), ("OH", 3.2), ("VA", 2.6), ("MD", 2.5), ("MI", 2.4), ("AZ", 2.2),
    ("TN", 1.8), ("SC", 1.7), ("NV", 1.6), ("WA", 1.5), ("LA", 1.4), ("AL", 1.4), ("MA", 1.3),
    ("CO", 1.3), ("MO", 1.1), ("IN", 1.1), ("MN", 0.9), ("MS", 0.9), ("WI", 0.8), ("CT", 0.8),
    ("KY", 0.8), ("OK", 0.7), ("OR", 0.7), ("AR", 0.6), ("DC", 0.5), ("UT", 0.5), ("KS", 0.5),
    ("DE", 0.4), ("NM", 0.4), ("IA", 0.4), ("NE", 0.3), ("HI", 0.3), ("ID", 0.3), ("WV", 0.3),
    ("NH", 0.25), ("RI", 0.25), ("ME", 0.2), ("PR", 0.2), ("MT", 0.15), ("SD", 0.1),
    ("ND", 0.1), ("AK", 0.1), ("VT", 0.1), ("WY", 0.08), ("", 1.2),
]  # fmt: skip
_VIA = [("Web", 78), ("Referral", 8), ("Phone", 6), ("Postal mail", 4), ("Web Referral", 3),
        ("Email", 0.5), ("Fax", 0.5)]  # fmt: skip
_RESPONSES = [("Closed with explanation", 80), ("Closed with non-monetary relief", 12),
              ("Closed with monetary relief", 4), ("Closed", 2.5),
              ("Untimely response", 1.5)]  # fmt: skip
COMPLAINT_COLUMNS = [
    "Date received", "Product", "Sub-product", "Issue", "Sub-issue",
    "Consumer complaint narrative", "Company", "State", "Submitted via",
    "Company response to consumer", "Timely response?", "Consumer disputed?", "Complaint ID",
]  # fmt: skip
_START_A, _END_A = date(2023, 1, 1), date(2024, 12, 31)


def _tail_companies(rng: random.Random) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    seen: set[str] = set()
    for product, kinds in _TAIL_KINDS.items():
        names: list[str] = []
        want = 40 if product in ("Debt collection", "Checking or savings account") else 22
        for _ in range(5000):  # plenty of distinct names: kinds x surnames x towns
            if len(names) == want:
                break
            kind = rng.choice(kinds)
            name = kind.format(
                s=rng.choice(_SURNAMES), t=rng.choice(_SURNAMES), town=rng.choice(_TOWNS)
            )
            if name not in seen:
                seen.add(name)
                names.append(name)
        out[product] = names
    return out


def _complaint_day(rng: random.Random) -> date:
    # Volume grows ~45% over the two years: accept a day with a probability rising over time.
    span = (_END_A - _START_A).days
    while True:
        d = rng.randrange(span + 1)
        if rng.random() < 0.69 + 0.31 * d / span:
            return _START_A + timedelta(days=d)


def consumer_complaints_en(out: Path, rows: int = 3000, seed: int = SEED) -> Path:
    """Write ``complaints.csv`` and SOURCE.txt into ``out``; returns the CSV's path."""
    rng = random.Random(seed)
    tails = _tail_companies(rng)
    records: list[tuple[date, list[str]]] = []
    for _ in range(rows):
        day = _complaint_day(rng)
        weights = [(p, w[0] * (1.25 if p == _CREDIT and day.year == 2024 else 1.0))
                   for p, w in _PRODUCTS.items()]  # fmt: skip
        product = _pick(rng, weights)
        _, subs, issues = _PRODUCTS[product]
        sub_product = _pick(rng, subs)
        issue = _pick(rng, [(i, w) for i, (w, _) in issues.items()])
        sub_issues = issues[issue][1]
        sub_issue = rng.choice(sub_issues) if sub_issues else ""
        main = _MAIN_COMPANIES[product]
        rest = 1.0 - sum(w for _, w in main)
        if rng.random() < rest:
            tail = tails[product]
            # Zipf-like: the first firms of the tail get far more complaints than the last.
            company = tail[min(int(rng.paretovariate(1.1)) - 1, len(tail) - 1)]
            if rng.random() < 0.35:
                company = rng.choice([n for names in tails.values() for n in names])
        else:
            company = _pick(rng, main)
        narrative = ""
        if rng.random() < 0.64:
            parts = rng.sample(_NARRATIVE[issue], k=min(2, len(_NARRATIVE[issue])))
            middle = rng.choice(_DETAILS)
            text = " ".join([*parts[: 1 + (rng.random() < 0.5)], middle, rng.choice(_CLOSINGS)])
            narrative = text.format(
                year=day.year, amount=f"${rng.randrange(35, 4800)}.00", n=rng.randrange(2, 9),
                month=_MONTHS[rng.randrange(12)], job=rng.choice(_JOBS),
            )  # fmt: skip
            narrative = " ".join(narrative.split())
        recent = (_END_A - day).days < 30
        response = "In progress" if recent and rng.random() < 0.4 else _pick(rng, _RESPONSES)
        if company == "QuickBridge Lending" and rng.random() < 0.3:
            response = "Untimely response"
        timely = "No" if response == "Untimely response" or rng.random() < 0.015 else "Yes"
        if response == "In progress":
            disputed = "N/A"
        else:
            disputed = "Yes" if rng.random() < (0.28 if response == "Closed" else 0.17) else "No"
        records.append((day, [
            product, sub_product, issue, sub_issue, narrative, company,
            _pick(rng, _STATES), _pick(rng, _VIA), response, timely, disputed,
        ]))  # fmt: skip
    records.sort(key=lambda r: r[0])
    out.mkdir(parents=True, exist_ok=True)
    path = out / "complaints.csv"
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COMPLAINT_COLUMNS)
    complaint_id = 6_100_000
    for day, fields in records:
        complaint_id += rng.randrange(1, 40)
        writer.writerow([f"{day.month:02d}/{day.day:02d}/{day.year}", *fields, complaint_id])
    path.write_text(buf.getvalue(), encoding="utf-8")
    _source(out, "consumer_complaints_en", rows, seed, _SOURCE_A)
    return path


_SOURCE_A = """\
complaints.csv - SYNTHETIC English consumer complaints, shaped like a public financial regulator's
complaint database. Not real complaints: every row, company and narrative was generated by
servicelens.evals.exports (python -m servicelens.evals.exports --out DIR), deterministically.
Columns: Date received (MM/DD/YYYY, 2023-01-01 .. 2024-12-31, volume growing), Product (9, one
label over 60 characters), Sub-product, Issue, Sub-issue (empty for some products), Consumer
complaint narrative (about a third empty; "XXXX" redactions), Company (invented names; a few large
ones and a long tail, over 200 in all), State (two-letter code, some empty), Submitted via,
Company response to consumer, Timely response? (Yes/No), Consumer disputed? (Yes/No; N/A while
"In progress"), Complaint ID (unique, increasing with the date).
"""


# --------------------------------------------------------------------------------------------
# (b) Citizen hotline, Chinese .xlsx

_CATEGORIES: dict[str, tuple[float, float, list[tuple[str, str]]]] = {
    # 一级分类: (weight, median reply days, [(topic, detail)])
    "城乡建设": (0.30, 12, [
        ("{d}{place}小区物业乱收费",
         "我是{d}{place}小区的业主，物业公司今年擅自上调物业费，而且公共"
         "区域长期没人打扫，电梯经常坏，希望相关部门督促整改。"),
        ("{d}{place}施工噪音扰民",
         "{d}{place}附近的工地每天晚上十点以后还在施工，噪音非常大，严重"
         "影响居民休息，请有关部门查处。"),
        ("{d}{place}小区停车位问题",
         "{place}小区车位严重不足，开发商把车位高价出售给外来人员，业主无处"
         "停车，请求协调解决。"),
        ("{d}{place}房屋漏水无人维修",
         "我家房子交房不到三年，外墙和楼顶多处漏水，开发商一直推脱，请住建部门帮忙"
         "督促维修。"),
        ("{d}{place}老旧小区改造进度慢",
         "{place}老旧小区改造已经拖了一年多，道路挖开后一直没有恢复，居民出"
         "行非常不便。"),
        ("{d}{place}违章搭建",
         "{place}有住户在楼顶违章搭建房屋，存在安全隐患，多次向社区反映没有"
         "结果。"),
    ]),
    "劳动和社会保障": (0.17, 7, [
        ("咨询养老保险缴费年限",
         "我在本市连续缴纳养老保险十二年，之前在外地缴过五年，想咨询养老保险转移接"
         "续后缴费年限怎么计算，退休后能领多少养老金。"),
        ("公司拖欠工资",
         "我在{d}一家公司工作，公司已经拖欠我们三个月工资，老板一直找借口不发，"
         "请劳动监察部门帮忙讨薪。"),
        ("社保卡办理问题",
         "新办的社保卡一直没有激活，去窗口说要等，问了几次都没有结果，希望尽快处理"
         "。"),
        ("灵活就业人员医保缴费",
         "我是灵活就业人员，想咨询今年医保和养老保险的缴费标准和缴费方式，网上查不"
         "到明确的说明。"),
        ("公司未缴纳社保",
         "入职半年了公司一直没有给我们缴纳社保，请问应该向哪个部门投诉。"),
    ]),
    "教育文体": (0.13, 9, [
        ("{d}{place}小区学位划片问题",
         "我们{place}小区今年的学区划分和往年不一样，孩子上学要跑很远，希望"
         "教育局重新考虑划片。"),
        ("学校违规补课收费",
         "{d}某中学周末组织学生补课并收取费用，学生负担很重，请教育部门调查。"),
        ("幼儿园收费过高",
         "{d}{place}的幼儿园收费每学期上涨，还要交各种额外费用，请求物价"
         "部门核查。"),
        ("体育场馆开放时间",
         "{d}体育馆对市民开放的时间太短，晚上基本不开放，希望延长开放时间。"),
    ]),
    "交通运输": (0.09, 8, [
        ("{d}公交线路调整建议",
         "{d}{place}附近没有公交站，居民出行很不方便，建议增设公交线路或"
         "站点。"),
        ("出租车拒载绕路",
         "在{d}打车经常遇到出租车拒载、绕路，还不打表，请交通部门加强管理。"),
        ("{d}{place}道路破损",
         "{place}门口的道路坑坑洼洼，下雨天积水很深，已经有电动车摔倒，请尽"
         "快修补。"),
    ]),
    "商贸旅游": (0.10, 6, [
        ("{d}{place}商家虚假宣传",
         "在{d}{place}一家店办了会员卡，充值后商家就关门了，钱退不回来，"
         "请帮助维权。"),
        ("预付卡退费难",
         "在健身房办的预付卡，店铺转让后新老板不认账，要求退费被拒绝。"),
        ("网购商品质量问题",
         "在本地一家网店买的家电有质量问题，商家拒绝退换货，请市场监管部门处理。"),
    ]),
    "环境保护": (0.11, 10, [
        ("{d}{place}餐饮油烟扰民",
         "{place}楼下的餐馆油烟直排，噪音也很大，我们家窗户都不敢开，请环保"
         "部门检查。"),
        ("{d}{place}工厂排放异味",
         "{d}{place}附近的工厂晚上偷排废气，气味刺鼻，居民出现头晕等症状"
         "，请求查处。"),
        ("{d}{place}河道污染",
         "{place}旁边的河道发黑发臭，有企业往河里排污，希望环保部门调查。"),
        ("{d}{place}广场舞噪音",
         "{place}广场每天晚上跳广场舞，音响开得很大，噪音严重影响周边居民休"
         "息。"),
    ]),
    "卫生计生": (0.10, 5, [
        ("医院挂号难",
         "{d}人民医院专家号很难挂，网上一放号就没有了，希望增加号源。"),
        ("二孩生育津贴申领",
         "想咨询生育津贴申领需要哪些材料，单位说不清楚，网上也没有找到流程。"),
        ("{d}{place}诊所无证行医",
         "{place}附近有一家诊所没有执业资质，还在给人打针输液，存在很大风险"
         "。"),
    ]),
}  # fmt: skip
_DISTRICTS = [("城东区", 0.20), ("城西区", 0.17), ("江北区", 0.15), ("高新区", 0.14),
              ("滨湖区", 0.12), ("经开区", 0.08), ("临江县", 0.08), ("青山县", 0.06)]  # fmt: skip
_PLACES = ["幸福里", "金桂园", "锦绣华庭", "阳光新城", "翠湖湾", "梅溪苑", "东方明珠花园", "江景苑",
           "和平路", "人民路", "滨江大道", "文化广场", "学府路", "工业园", "龙湖天街",
           "青年公寓"]  # fmt: skip
_DEPARTMENTS = {
    "城乡建设": "区住房和城乡建设局", "劳动和社会保障": "市人力资源和社会保障局",
    "教育文体": "区教育局", "交通运输": "市交通运输局", "商贸旅游": "区市场监督管理局",
    "环境保护": "市生态环境局", "卫生计生": "区卫生健康局",
}  # fmt: skip
HOTLINE_COLUMNS = ["留言编号", "留言时间", "留言主题", "留言详情", "一级分类", "所属区县",
                   "答复时间", "答复意见", "满意度"]  # fmt: skip
_START_B, _END_B = datetime(2023, 1, 1), datetime(2024, 6, 30, 23, 59)


def _reply(rng: random.Random, category: str, district: str) -> str:
    dept = _DEPARTMENTS[category]
    outcome = rng.choice([
        "已责成相关单位限期整改，目前问题已基本解决。",
        "相关情况已向您电话说明，我们将持续跟进。",
        "经核实，您反映的问题属实，已立案处理。",
        "经调查，未发现您反映的问题，请您提供更详细的线索。",
        "具体政策已在回复中说明，如有疑问可拨打政务服务热线咨询。",
    ])  # fmt: skip
    return (
        f"网友您好！您的留言已收悉。经{district}{dept}调查核实，{outcome}"
        "感谢您对我们工作的支持和监督。"
    )


def citizen_hotline_zh(out: Path, rows: int = 2000, seed: int = SEED) -> Path:
    """Write ``hotline.xlsx`` and SOURCE.txt into ``out``; returns the workbook's path."""
    from openpyxl import Workbook

    rng = random.Random(seed + 1)
    text_rng = random.Random(seed + 2)  # wording only: the other fields do not depend on it
    span = int((_END_B - _START_B).total_seconds() // 60)
    records: list[tuple[datetime, str, str, str, str, datetime | None, str, str]] = []
    for _ in range(rows):
        when = _START_B + timedelta(minutes=rng.randrange(span))
        cat_weights = [(c, v[0]) for c, v in _CATEGORIES.items()]
        if when.year == 2024 and when.month <= 3:  # a pension-enquiry surge in 2024-Q1
            cat_weights = [(c, w * (2.2 if c == "劳动和社会保障" else 1.0)) for c, w in cat_weights]
        category = _pick(rng, cat_weights)
        district = _pick(rng, _DISTRICTS)
        _, median_days, topics = _CATEGORIES[category]
        topic, detail = rng.choice(topics)
        place = rng.choice(_PLACES)
        title = topic.format(d=district, place=place)
        text = _worded(text_rng, detail.format(d=district, place=place), district, place)
        lag = rng.lognormvariate(0, 0.6) * median_days
        answered = rng.random() < 0.93 and when + timedelta(days=lag) < _END_B + timedelta(days=10)
        reply_at = (when + timedelta(days=lag)).replace(microsecond=0) if answered else None
        if reply_at is None:
            satisfaction = ""
        else:
            unhappy = 0.12 + (0.22 if lag > 2 * median_days else 0.0)
            unhappy += 0.08 if category == "城乡建设" else 0.0
            satisfaction = _pick(rng, [("满意", 0.55 - unhappy / 2),
                                       ("基本满意", 0.3 - unhappy / 2),
                                       ("不满意", unhappy), ("", 0.15)])  # fmt: skip
        reply = _reply(rng, category, district) if reply_at else ""
        records.append((when, title, text, category, district, reply_at, reply, satisfaction))
    records.sort(key=lambda r: r[0])
    ids = []
    next_id = 180_000
    for _ in records:
        next_id += rng.randrange(1, 12)
        ids.append(next_id)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "留言"
    ws.append(HOTLINE_COLUMNS)
    dup_at = set(rng.sample(range(len(records)), k=max(1, rows // 250)))
    for i, (rec, msg_id) in enumerate(zip(records, ids, strict=True)):
        when, title, text, category, district, reply_at, reply, satisfaction = rec
        for second in (False, True) if i in dup_at else (False,):
            cat = category
            if second:  # the same message filed again under another category
                cat = rng.choice([c for c in _CATEGORIES if c != category])
            ws.append([msg_id, _message_time(rng, when), title, text, cat, district,
                       reply_at, reply, satisfaction])  # fmt: skip
            if reply_at is not None:
                ws.cell(ws.max_row, 7).number_format = "yyyy-mm-dd hh:mm:ss"
    out.mkdir(parents=True, exist_ok=True)
    path = out / "hotline.xlsx"
    wb.properties.creator = "servicelens.evals.exports"
    wb.properties.created = _FIXED_TIME
    wb.properties.modified = _FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(_fixed_zip(buf.getvalue()))
    _source(out, "citizen_hotline_zh", rows, seed, _SOURCE_B)
    return path


_OPENINGS = ["", "", "您好！", "尊敬的领导：", "市长您好，", "我是{d}{place}的居民，",
             "我住在{d}，", "各位领导好，我想反映一个问题。"]  # fmt: skip
_CLOSINGS_ZH = ["", "已经反映过{n}次了，一直没有结果。", "这个问题已经持续了{n}个月。",
                "希望尽快给予答复。", "请相关部门重视。", "谢谢！", "最近一次是{m}月{day}日。",
                "盼复。"]  # fmt: skip


def _worded(rng: random.Random, text: str, district: str, place: str) -> str:
    """The message as a citizen writes it: an opening and a closing of their own, so that no two
    messages read exactly alike (as in a real export)."""
    opening = rng.choice(_OPENINGS).format(d=district, place=place)
    closing = rng.choice(_CLOSINGS_ZH).format(
        n=rng.randrange(2, 9), m=rng.randrange(1, 13), day=rng.randrange(1, 29)
    )
    return opening + text + closing


def _message_time(rng: random.Random, when: datetime) -> str | float:
    """Mostly text like '2023/3/5 14:22:10'; about one cell in 25 an Excel serial number."""
    if rng.random() < 0.04:
        return round((when - _EXCEL_EPOCH).total_seconds() / 86400, 6)
    return f"{when.year}/{when.month}/{when.day} {when:%H:%M:%S}"


def _fixed_zip(data: bytes) -> bytes:
    """The same workbook with fixed timestamps inside (openpyxl stamps the save time)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _fixed_core(body)
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, body)
    return buf.getvalue()


def _fixed_core(body: bytes) -> bytes:
    import re

    stamp = _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>" + stamp + rb"\g<2>", body)


_SOURCE_B = """\
hotline.xlsx - SYNTHETIC Chinese citizen-hotline (政务热线/市长信箱) messages. Not real messages:
every row, district and reply was generated by servicelens.evals.exports
(python -m servicelens.evals.exports --out DIR), deterministically.
Sheet 留言, columns: 留言编号 (message id; a few ids appear twice, the same message filed under a
second 一级分类), 留言时间 (text like 2023/3/5 14:22:10; about 4% of the cells hold an Excel serial
number instead), 留言主题, 留言详情, 一级分类 (7 categories), 所属区县 (8 invented districts),
答复时间 (an Excel date-time; empty while unanswered), 答复意见,
满意度 (满意/基本满意/不满意 or empty).
Messages 2023-01-01 .. 2024-06-30.
"""


def _source(out: Path, name: str, rows: int, seed: int, text: str) -> None:
    version = VERSIONS[name]
    head = f"DATASET: {name} (synthetic; generator version {version}, rows {rows}, seed {seed})\n"
    (out / "SOURCE.txt").write_text(head + text, encoding="utf-8")


# --------------------------------------------------------------------------------------------

GENERATORS: dict[str, Callable[..., Path]] = {
    "consumer_complaints_en": consumer_complaints_en,
    "citizen_hotline_zh": citizen_hotline_zh,
}


def generate(name: str, out: Path, rows: int | None = None, seed: int = SEED) -> Path:
    """Write the export ``name`` into the folder ``out``; returns its data file."""
    if name not in GENERATORS:
        known = ", ".join(GENERATORS)
        raise ExportError(f"No export generator {name!r}; the generators are: {known}.")
    if rows is not None and rows < 50:
        raise ExportError(f"{name}: give at least 50 rows (got {rows}).")
    fn = GENERATORS[name]
    return fn(out, seed=seed) if rows is None else fn(out, rows=rows, seed=seed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m servicelens.evals.exports",
        description="Write synthetic exports of new shapes (one folder each, with SOURCE.txt).",
    )
    parser.add_argument("--out", type=Path, required=True, help="Folder to write the exports into.")
    parser.add_argument("--only", choices=sorted(GENERATORS), help="Write only this export.")
    parser.add_argument("--rows", type=int, help="Rows per export (default: 3,000 / 2,000).")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    names = [args.only] if args.only else list(GENERATORS)
    try:
        for name in names:
            path = generate(name, args.out / name, args.rows, args.seed)
            print(path)
    except ExportError as exc:
        parser.exit(2, f"{exc}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
