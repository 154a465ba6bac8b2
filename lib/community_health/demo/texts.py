"""Message texts of the demo: templates per kind of message, scored sensibly by the VADER lexicon.

Praise uses words such as love, great and amazing; complaints terrible, disappointed, refund, angry,
broken; questions end in "?". Placeholders: ``{product}``, ``{mention}`` (the author answered, written the
platform's way) and ``{link}`` (a help-centre link, written the platform's way).
"""

from __future__ import annotations

import numpy as np

PRODUCTS = (
    "Ethiopia Guji",
    "Colombia Huila",
    "house espresso blend",
    "decaf Sierra",
    "Kenya AA",
    "Brazil Cerrado",
    "Cold Brew Kit",
    "burr grinder",
    "V60 starter set",
    "monthly subscription",
    "Autumn Roast",
)

TEMPLATES: dict[str, tuple[str, ...]] = {
    "q_support": (
        "Hi! My order hasn't arrived yet, it's been 6 days. Can someone check the delivery status?",
        "How do I pause my subscription for a month while I'm travelling?",
        "Can I change the grind size on my next subscription box?",
        "My grinder makes a weird clicking noise since yesterday, is that normal?",
        "I was charged twice for my last order, how do I get a refund?",
        "Is there a way to update my delivery address after placing an order?",
        "Does the {product} ship to the Canary Islands?",
        "The tracking link says delivered but there's nothing here. Who should I contact?",
        "How long does a refund usually take to show up on the card?",
        "Can I swap the {product} in my subscription for something darker?",
        "The lid of my Cold Brew Kit is cracked, can I get a replacement part?",
        "Hola, ¿hacéis envíos a Portugal? Where can I see the shipping costs?",
        "Where do I find the invoice for my order? I need it for work.",
        "My discount code doesn't work at checkout, is it still valid?",
        "Is the {product} back in stock soon?",
    ),
    "q_brew": (
        "What grind size do you use for the {product} on a V60?",
        "Any tips for dialing in the {product} as espresso? Mine tastes sour.",
        "What water temperature works best for light roasts?",
        "How long do you steep cold brew before it gets bitter?",
        "Aeropress inverted or standard for the {product}, what do you think?",
        "How many days after roasting do you start brewing the {product}?",
        "Which ratio do you use for a French press, 1:15 or 1:16?",
        "Is a burr grinder really worth it for pour over?",
        "Why does my latte art always break apart? Milk too hot?",
        "Has anyone tried the {product} with oat milk?",
    ),
    "answer_member": (
        "Try a slightly coarser grind, that fixed the sourness for me.",
        "{mention} I use 94°C and a 1:16 ratio, works great with that bean.",
        "I had the same issue, support sorted it in a day. Check your spam folder for the email.",
        "18 hours in the fridge is my sweet spot for cold brew.",
        "{mention} standard method, 2 min steep, gentle press. Really good results.",
        "Give it a week after roast, the flavour opens up a lot.",
        "Steam the milk to about 60°C and swirl before pouring, it helps a lot.",
        "Worth it, honestly. The difference in clarity is huge.",
        "{mention} you can change it in your account page under Subscriptions.",
        "Oat milk works well with the darker roasts, less so with the fruity ones.",
    ),
    "thanks": (
        "Thanks, that helped!",
        "Perfect, thank you so much!",
        "Great, problem solved. Thanks!",
        "Thank you, really appreciate the quick help 🙏",
        "Muchas gracias! 🙌",
        "Thanks! Will try that tomorrow.",
        "Awesome, that worked perfectly.",
    ),
    "brand_answer": (
        "{mention} thanks for reaching out! I've checked your order and it left our roastery yesterday, "
        "you should have it by Friday.",
        "{mention} sorry about that! You can pause or change your subscription here: {link}",
        "{mention} that sounds like the burr carrier, we'll send you a replacement part today.",
        "{mention} we've issued the refund, it usually takes 3-5 working days to show up.",
        "{mention} good question! We brew it at 1:16 with a medium-fine grind. Let us know how it goes.",
        "{mention} thanks for flagging this, our team is on it. Details in {link}",
        "{mention} happy to help! The invoice is in your account under Orders.",
        "{mention} the code expired last week, but I've added a 10% credit to your account.",
        "{mention} yes, we ship there. Shipping costs are listed in {link}",
        "{mention} great question, we'd rest it 7-10 days after roasting.",
    ),
    "brand_post": (
        "Fresh roast day! The {product} is back and it tastes amazing. What are you brewing this weekend?",
        "New guide: how to dial in espresso at home. Read it here: {link}",
        "Question of the week: what is your favourite brew method and why?",
        "We love seeing your setups! Share a photo of your morning coffee corner.",
        "Roastery update: we're trying a new washed process from Huila. Curious to hear what you think!",
        "Reminder: the {product} ships on Monday, order by Sunday night.",
        "Thank you for 2,000 members in the community! You're amazing.",
        "Meet the team: Lucía runs customer care and Tomás roasts every bean. Ask them anything!",
    ),
    "brand_join": (
        "Love this thread! {mention} that sounds delicious.",
        "Great tips here, thanks everyone for helping each other!",
        "{mention} thank you for sharing, we'll pass this on to the roasting team.",
        "This is amazing, we might feature it in the newsletter if that's ok {mention}?",
    ),
    "discuss": (
        "Just brewed the {product} as a pour over and wow, so much blueberry. Love it!",
        "My new burr grinder arrived today, the difference is amazing.",
        "Sharing my weekend latte art attempt, getting better slowly ☕",
        "Anyone else doing a cold brew batch every Sunday? Best habit ever.",
        "The {product} is my new favourite, great with a splash of milk.",
        "Tried the {product} in a moka pot, surprisingly good!",
        "Finally nailed a 1:2 espresso ratio with the house blend. So happy 😍",
        "Coffee and a book on a rainy day, nothing better.",
        "Hot take: the decaf is better than most regular coffee I've had.",
        "Comparing the {product} and the Kenya side by side this morning, very different and both great.",
        "Here is my home setup after a year of upgrades, still love the V60.",
        "Qué buena la {product} en espresso, really happy with this bag.",
    ),
    "positive": (
        "Love this!",
        "Looks amazing 😍",
        "Great idea, I'll try it.",
        "So good, agree 100%.",
        "That sounds delicious.",
        "Beautiful pour!",
        "The {product} is fantastic, great pick.",
        "Nice, thanks for sharing!",
        "This community is the best, love the tips here.",
        "Awesome result, well done!",
        "Same here, great coffee and great people.",
        "Me encanta! ☕",
    ),
    "neutral": (
        "I usually go 1:15 but I'll test 1:16.",
        "Interesting, I use a Kalita instead.",
        "Which grinder setting was that?",
        "Mine took about 3 minutes total.",
        "I've only tried it as espresso so far.",
        "Depends on the water too, I use filtered.",
        "Noted, will report back.",
        "I think it was the medium roast.",
        "{mention} what filter papers do you use?",
        "Same bag here, roasted on the 3rd.",
    ),
    "negative": (
        "Honestly a bit disappointed with the last bag, tasted flat.",
        "My grinder arrived broken, really disappointed.",
        "Third late delivery in a row, this is getting annoying.",
        "Not a fan, way too bitter for me.",
        "Terrible customer service experience last week, took ages to get a refund.",
        "The new packaging is worse, the valve broke on mine.",
        "Why is the subscription price going up again? Not happy.",
    ),
    "crisis": (
        "Was anyone else charged the wrong price? My order says 89 EUR for a 250 g bag!!",
        "I've been overcharged on my subscription, this is terrible. I want a refund now.",
        "Charged 10x the price and no email from Brightbrew. Really angry.",
        "This pricing error is a disaster. Refund please, I'm very disappointed.",
        "Same here, wrong price on the checkout and my bank flagged it. Terrible.",
        "Still waiting for my refund after the pricing mess. Angry and disappointed.",
        "Cancelling my subscription, overcharged twice and nobody answers.",
        "How is nobody fixing this? The wrong price is still live!",
        "Is this a scam? 120 EUR for a Cold Brew Kit refill?",
        "Awful. My card was declined everywhere because of your wrong charge.",
        "Terrible handling of the price error, very disappointed in Brightbrew.",
        "I love this brand but this pricing error is really bad. Refund me please.",
    ),
    "brand_crisis": (
        "{mention} we're so sorry. A pricing error charged some orders the wrong amount; every affected "
        "order is being refunded in full. Details: {link}",
        "{mention} apologies, you're right. The refund is on its way and you'll get a 20% voucher too.",
        "{mention} sorry for the trouble. Our team is refunding every wrong charge today: {link}",
    ),
    "meetup": (
        "The Madrid latte art meetup was amazing, thank you all! Great to meet everyone in person.",
        "Still buzzing from Saturday's meetup, best coffee event I've been to 😍",
        "Photos from the latte art meetup are up, love seeing everyone's pours!",
        "Loved the cupping at the meetup, when is the next one?",
        "Great people, great coffee. Thanks for organising the meetup!",
        "Practised the tulip all week after the meetup, finally getting it.",
    ),
}

NEGATIVE_WORDS = ("refund", "terrible", "disappointed", "angry", "broken", "overcharged", "wrong price")


def pick_texts(kind: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Return one template (an object array of str) per element of ``kind`` (names of ``TEMPLATES``)."""
    kind = np.asarray(kind, dtype=object)
    out = np.empty(len(kind), dtype=object)
    draws = rng.random(len(kind))
    products = np.asarray(PRODUCTS, dtype=object)[rng.integers(0, len(PRODUCTS), len(kind))]
    for name in sorted(TEMPLATES):
        sel = np.flatnonzero(kind == name)
        if sel.size == 0:
            continue
        pool = np.asarray(TEMPLATES[name], dtype=object)
        out[sel] = pool[(draws[sel] * len(pool)).astype("int64")]
    has_product = np.fromiter(("{product}" in t for t in out), dtype=bool, count=len(out))
    for i in np.flatnonzero(has_product):
        out[i] = out[i].replace("{product}", products[i])
    return out


def render(text: str, mention: str, link: str) -> str:
    """Fill the ``{mention}`` and ``{link}`` placeholders of one template."""
    if "{" not in text:
        return text
    return text.replace("{mention}", mention).replace("{link}", link).strip()
