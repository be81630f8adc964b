"""Weighted length of a post on X (Twitter), as X counts it today.

This ports the counting rules of twitter-text's ``parseTweet`` with config v3
(https://github.com/twitter/twitter-text, Apache License 2.0):

* the text is normalised to NFC first;
* a code point in 0-4351, 8192-8205, 8208-8223 or 8242-8247 weighs 1, any other weighs 2
  (so a CJK character counts 2; an astral code point is one code point);
* every URL, with or without a protocol, counts 23, found with the rules of
  ``extractUrlsWithIndices`` (regexes, TLD lists, IDN label lengths, t.co slugs);
* every emoji sequence counts 2;
* a post is valid when it weighs 1-280, holds none of U+FFFE, U+FEFF and U+FFFF and is
  not only whitespace (twitter-text's Java parser rejects that; its JS one does not).

twitter-text's emoji regex stops at Emoji 12, so newer sequences such as ❤️‍🔥 would
count 5 there while X counts 2; this module therefore takes emoji sequences from the
maintained ``emoji`` package. Like twitter-text, it counts the text-default © and ® as
plain characters unless U+FE0F follows them, and digits, # and * only as keycaps.

Speed matters (a CI check runs this over every post), so the heavy parts are built on
first use only, and texts that cannot hold a URL or an emoji sequence skip those scans.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache

MAX_WEIGHTED_LENGTH: int = 280

_URL_WEIGHT = 23
_EMOJI_WEIGHT = 2
_MAX_URL_LENGTH = 4096
_MAX_TCO_SLUG_LENGTH = 40
_MAX_DOMAIN_LABEL_LENGTH = 63
_DEFAULT_PROTOCOL = "https://"

# Runs of code points that config v3 weighs 1; everything else weighs 2.
_LIGHT_RUNS = re.compile("[\x00-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]+")
_INVALID_CHARS = ("\ufffe", "\ufeff", "\uffff")  # all weigh 2
# Every emoji sequence of more than one code point holds a ZWJ or one of these (keycap,
# VS16, regional indicator, skin tone, tag; all weigh 2). A single code point emoji weighs 2
# as a plain character anyway, so texts without them need no emoji scan.
_EMOJI_SEQUENCE_MARKS = re.compile(
    "[\u20e3\ufe0f\U0001f1e6-\U0001f1ff\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]"
)
# str.split() breaks on these although twitter-text does not treat them as spaces.
_SPLIT_ONLY_SPACES = re.compile("[\x1c-\x1f]")
# A URL's domain ends in a dot and a TLD, and every TLD starts with a letter (matched
# case-insensitively, still a letter): "10.00-12.00" or "Rp2.000" holds no URL.
_DOT_LETTER = re.compile(r"\.[^\W\d_]")


@dataclass(frozen=True)
class TweetLength:
    """Result of :func:`parse_tweet`.

    Attributes:
        weighted_length: length as X counts it against :data:`MAX_WEIGHTED_LENGTH`.
        valid: whether X accepts the text as a post.
    """

    weighted_length: int
    valid: bool


def parse_tweet(text: str) -> TweetLength:
    """Measure ``text`` with X's weighted length rules and tell whether X accepts it."""
    if text.isascii():
        weight = len(text)
        has_invalid_chars = False
        entities = _url_entities(text) if "." in text else []
    else:
        text = unicodedata.normalize("NFC", text)
        # Searching only the code points that weigh 2 is much faster for mostly-Latin text.
        heavy = _LIGHT_RUNS.sub("", text)
        weight = len(text) + len(heavy)
        has_invalid_chars = any(char in heavy for char in _INVALID_CHARS)
        entities = _url_entities(text) if "." in text else []
        if "\u200d" in text or _EMOJI_SEQUENCE_MARKS.search(heavy):
            entities += _emoji_entities(text)
    if entities:
        # Like twitter-text's left-to-right walk: a URL wins over an emoji starting at the
        # same index, and an entity starting inside an earlier one is never reached.
        entities.sort()
        covered = 0
        for start, negated_weight, length in entities:
            if start >= covered:
                covered = start + length
                weight += -negated_weight - _plain_weight(text[start:covered])
    valid = 0 < weight <= MAX_WEIGHTED_LENGTH and not has_invalid_chars and not text.isspace()
    return TweetLength(weighted_length=weight, valid=valid)


def weighted_length(text: str) -> int:
    """Return the weighted length of ``text`` as X counts it (see :func:`parse_tweet`)."""
    return parse_tweet(text).weighted_length


def split_at_limit(text: str, limit: int = MAX_WEIGHTED_LENGTH) -> tuple[str, str]:
    """``text`` cut where X's limit falls: the longest beginning that weighs at most
    ``limit``, and the rest (twitter-text's ``validRangeEnd``).

    A URL or an emoji sequence weighs as a whole, so the cut never falls inside one. The
    text is normalised to NFC first, as X counts it; both pieces are of that form.
    """
    text = unicodedata.normalize("NFC", text)
    entities = _url_entities(text) if "." in text else []
    if not text.isascii():
        entities += _emoji_entities(text)
    # The same left-to-right walk as `parse_tweet`, so the pieces add up to its count.
    whole: dict[int, tuple[int, int]] = {}
    covered = 0
    for start, negated_weight, length in sorted(entities):
        if start >= covered:
            whole[start] = (-negated_weight, length)
            covered = start + length
    weight = index = 0
    while index < len(text):
        step_weight, size = whole.get(index) or (_plain_weight(text[index]), 1)
        if weight + step_weight > limit:
            break
        weight += step_weight
        index += size
    return text[:index], text[index:]


def url_spans(text: str) -> list[tuple[int, int]]:
    """Where X finds URLs in ``text`` (start, end), in order: the same ones it counts 23
    (``preview`` draws them as links). Normalise to NFC first to see them as X does."""
    spans: list[tuple[int, int]] = []
    for start, _weight, length in sorted(_url_entities(text) if "." in text else []):
        if not spans or start >= spans[-1][1]:
            spans.append((start, start + length))
    return spans


def _plain_weight(text: str) -> int:
    """Weight of ``text`` counting every code point on its own."""
    if text.isascii():
        return len(text)
    return len(text) + len(_LIGHT_RUNS.sub("", text))


# Entities are (start, -weight, length): sorting puts a URL before an emoji at one index.
_Entity = tuple[int, int, int]


def _emoji_entities(text: str) -> list[_Entity]:
    """Emoji sequences of two or more code points, matched longest first."""
    table = _emoji_table()
    sequences, sizes = table.sequences, table.sizes
    entities: list[_Entity] = []
    for run in table.runs.finditer(text):
        index, end = run.span()
        while index < end - 1:
            for size in sizes.get(text[index], ()):
                if text[index : index + size] in sequences:
                    entities.append((index, -_EMOJI_WEIGHT, size))
                    index += size
                    break
            else:
                index += 1
    return entities


class _EmojiTable:
    """Multi-code-point emoji sequences from the ``emoji`` package."""

    def __init__(self) -> None:
        import emoji  # Deferred: importing it costs ~40 ms, and most posts never need it.

        self.sequences = frozenset(key for key in emoji.EMOJI_DATA if len(key) > 1)
        lengths: dict[str, set[int]] = {}
        for sequence in self.sequences:
            lengths.setdefault(sequence[0], set()).add(len(sequence))
        # Lengths worth trying at each first code point, longest first.
        self.sizes = {char: tuple(sorted(found, reverse=True)) for char, found in lengths.items()}
        # Coarse ranges holding every code point of those sequences (the tests check this).
        # A class of the ~1,400 exact code points would be far slower to match.
        self.runs = re.compile(
            "[#*0-9\xa9\xae\u200d\u203c-\u3299\ufe0f\U0001f000-\U0001faff\U000e0020-\U000e007f]{2,}"
        )


@cache
def _emoji_table() -> _EmojiTable:
    """The emoji table, built on first use."""
    return _EmojiTable()


def _url_entities(text: str, regexes: _UrlRegexes | None = None) -> list[_Entity]:
    """URLs that twitter-text's ``extractUrlsWithIndices`` finds in ``text`` (with
    ``regexes``, else with regexes fit for it)."""
    windows = list(_url_windows(text))
    if not windows:  # "Pukul 06.30." holds no URL, and needs no regexes to say so
        return []
    regexes = regexes or _regexes_for(text)
    entities: list[_Entity] = []
    for window_start, window_end in windows:
        # The window's neighbours are spaces, which no URL holds, so scanning it matches a
        # scan of the whole text; keep the space before it for the preceding-char rule.
        matches = regexes.url.finditer(text, max(window_start - 1, 0), window_end + 1)
        for match in matches:
            before, url, protocol, domain, path = match.groups()
            start = match.start(2)
            if not _is_valid_url(url, protocol or _DEFAULT_PROTOCOL, domain, regexes):
                continue
            if protocol:
                tco = regexes.tco.match(url)
                if tco:
                    if len(tco.group(1)) > _MAX_TCO_SLUG_LENGTH:
                        continue
                    url = tco.group()
                entities.append((start, -_URL_WEIGHT, len(url)))
                continue
            if before and before in "-_./":
                continue
            # Without a protocol only ASCII domains count, each on its own; the last one
            # takes the path and query along.
            last: _Entity | None = None
            for ascii_match in regexes.ascii_domain.finditer(domain):
                ascii_domain = ascii_match.group()
                last = (start + ascii_match.start(), -_URL_WEIGHT, len(ascii_domain))
                if (
                    path
                    or regexes.special_short_domain.fullmatch(ascii_domain)
                    or not regexes.short_domain.fullmatch(ascii_domain)
                ):
                    entities.append(last)
            if last is not None and path:
                entities[-1] = (last[0], -_URL_WEIGHT, last[2] + len(url) - len(domain))
    return entities


def _url_windows(text: str) -> Iterator[tuple[int, int]]:
    """Spans of whitespace-free runs that may hold a URL (a dot before a letter).

    U+180E is a space to twitter-text but not to str.split(); that only widens a window.
    """
    if not _DOT_LETTER.search(text):
        return
    if _SPLIT_ONLY_SPACES.search(text):
        yield 0, len(text)
        return
    end = 0
    for token in text.split():
        if "." in token and _DOT_LETTER.search(token):
            start = text.find(token, end)
            end = start + len(token)
            yield start, end


def _is_valid_url(url: str, protocol: str, domain: str, regexes: _UrlRegexes) -> bool:
    """twitter-text's ``isValidUrl``: every IDN label fits DNS, the URL fits 4096 UTF-16 units."""
    if domain.startswith("xn--") and not regexes.ascii_domain.search(domain):
        return False
    for label in domain.split("."):
        # The domain regex never yields an empty label, so only the upper bound can fail.
        if not label.isascii():
            label = ".".join(map(_punycode, regexes.idna_separators.split(label)))
        if len(label) > _MAX_DOMAIN_LABEL_LENGTH:
            return False
    utf16_length = len(url.encode("utf-16-le", "surrogatepass")) // 2
    return len(protocol) + utf16_length <= _MAX_URL_LENGTH


def _punycode(label: str) -> str:
    """punycode.toASCII for one label: ASCII stays, anything else becomes ``xn--``."""
    if label.isascii():
        return label
    return "xn--" + label.encode("punycode").decode("ascii")


class _UrlRegexes:
    """twitter-text's URL regexes (js/src/regexp), ported to Python's ``re``, knowing
    the generic and country-code TLDs given (in twitter-text's order)."""

    def __init__(self, gtlds: list[str], cctlds: list[str]) -> None:
        spaces = r"\t-\r \x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
        invalid = r"\ufffe\ufeff\uffff"
        directional = r"\u202a-\u202e\u061c\u200e\u200f\u2066-\u2069"
        latin_accents = (
            r"\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b"
            r"\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
        )
        cyrillic = r"\u0400-\u04ff"
        punct = "!'#%&()*+,\\-./:;<=>?@[]^_{|}~$"

        def domain_char(allowed: str = "") -> str:
            # Anything but punctuation (bar ``allowed``), spaces and invalid chars.
            excluded = "".join(re.escape(char) for char in punct if char not in allowed)
            return f"[^{excluded}{spaces}{invalid}]"

        char = domain_char()
        subdomain = rf"(?:(?:{char}{domain_char('_-')}*)?{char}\.)"
        domain_name = rf"(?:(?:{char}{domain_char('-')}*)?{char}\.)"
        tld_end = r"(?=[^0-9a-zA-Z@+-]|$)"
        gtld = f"(?:{_alternation(gtlds)}){tld_end}"
        cctld = f"(?:{_alternation(cctlds)}){tld_end}"
        punycode = r"xn--[\-0-9a-z]+"
        tld = f"(?:{gtld}|{cctld}|{punycode})"
        path_char = rf"[a-z{cyrillic}0-9!*';:=+,.$/%#\[\]\-\u2013_~@|&{latin_accents}]"
        parens = rf"\((?:{path_char}+|{path_char}*\({path_char}+\){path_char}*)\)"
        path_end = rf"(?:[+\-a-z{cyrillic}0-9=_#/{latin_accents}]|{parens})"
        path = rf"(?:{path_char}*(?:{parens}{path_char}*)*{path_end}|@{path_char}+/)"
        query = r"\?[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]*[a-z0-9\-_&=#/]"
        preceding = rf"(?:[^a-z0-9@\uff20$#\uff03{invalid}]|[{directional}]|^)"
        # Groups: preceding char, URL, protocol, domain, path (twitter-text's $2, $3, $4, $5, $7).
        url = (
            f"({preceding})"
            f"((https?://)?({subdomain}*{domain_name}{tld})(?::[0-9]+)?(/{path}*)?(?:{query})?)"
        )
        self.url = re.compile(url, re.IGNORECASE)
        # The others are compiled when first needed: each costs milliseconds, and a short
        # `check` run often meets no URL of their kind.
        self._sources = {
            "ascii_domain": rf"(?:[\-a-z0-9{latin_accents}]+\.)+{tld}",
            "short_domain": domain_name + cctld,
            "special_short_domain": rf"{domain_name}(?:co|tv)(?=[^0-9a-zA-Z@]|$)",
            "tco": rf"https?://t\.co/([a-z0-9]+)(?:{query})?",
        }
        # punycode.toASCII, which twitter-text applies to each label, also splits on these.
        self.idna_separators = re.compile("[\u3002\uff0e\uff61]")

    def _compiled(self, name: str) -> re.Pattern[str]:
        return re.compile(self._sources[name], re.IGNORECASE)

    @cached_property
    def ascii_domain(self) -> re.Pattern[str]:
        """A run of ASCII domain labels ending in a known TLD."""
        return self._compiled("ascii_domain")

    @cached_property
    def short_domain(self) -> re.Pattern[str]:
        """A single label and a country-code TLD (not a URL without a path)."""
        return self._compiled("short_domain")

    @cached_property
    def special_short_domain(self) -> re.Pattern[str]:
        """The short .co and .tv domains, which count as URLs anyway."""
        return self._compiled("special_short_domain")

    @cached_property
    def tco(self) -> re.Pattern[str]:
        """A t.co link, whose slug length twitter-text limits."""
        return self._compiled("tco")


@cache
def _url_regexes() -> _UrlRegexes:
    """The URL regexes knowing every TLD, compiled on first use (~50 ms)."""
    return _UrlRegexes(_GTLD_LIST, _CCTLD_LIST)


def _regexes_for(text: str) -> _UrlRegexes:
    """URL regexes that find in ``text`` what :func:`_url_regexes` finds.

    Most of the 50 ms the full regexes take to compile is their 1,574 TLDs, and a short
    run (``check`` of one file) meets a handful. A TLD is only ever matched right after a
    dot, so regexes knowing just the TLDs that follow a dot somewhere in ``text`` match
    exactly as the full ones do there (the trie keeps the longest-first preference). Once
    the full regexes exist, or after a few different sets (many files), they are used.
    """
    if _url_regexes.cache_info().currsize or _regexes_knowing.cache_info().misses >= 8:
        return _url_regexes()
    tlds = _tlds_after_dots(text)
    return _url_regexes() if tlds is None else _regexes_knowing(tlds)


@lru_cache(maxsize=8)
def _regexes_knowing(tlds: frozenset[str]) -> _UrlRegexes:
    return _UrlRegexes(
        [tld for tld in _GTLD_LIST if tld in tlds], [tld for tld in _CCTLD_LIST if tld in tlds]
    )


def _tlds_after_dots(text: str) -> frozenset[str] | None:
    """The TLDs that start right after a dot in ``text`` (None: ask the full regexes).

    Every TLD is lowercase: the ASCII ones of a-z only, and no other character matches a
    letter a-z case-insensitively in ``re`` but a few such as U+017F, so a run of ASCII
    letters after a dot is looked up lowercased, and a run holding anything else that
    may match a TLD's character (an IDN TLD, U+212A...) is left to the full regexes.
    """
    found: set[str] = set()
    for run in _tld_runs().finditer(text):
        letters = run.group(1)
        if not letters.isascii():
            return None
        letters = letters.lower()
        found.update(letters[:end] for end in range(1, len(letters) + 1) if letters[:end] in _TLDS)
    return frozenset(found)


@cache
def _tld_runs() -> re.Pattern[str]:
    """A dot and the characters after it that may match a TLD's (case-insensitively)."""
    chars = "".join(sorted({char for tld in _TLDS for char in tld}))
    return re.compile(rf"\.([{re.escape(chars)}]{{1,{_LONGEST_TLD}}})", re.IGNORECASE)


_Trie = dict[str, "_Trie"]


def _alternation(words: Iterable[str]) -> str:
    """Regex matching any of ``words``, longest first, factored as a trie.

    twitter-text joins its TLDs into one flat alternation; a trie matches the same words
    (preferring the longest, as twitter-text's reverse-sorted lists do) but compiles and
    runs much faster in Python's regex engine.
    """
    root: _Trie = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: _Trie) -> str:
        branches = [re.escape(char) + emit(child) for char, child in node.items() if char]
        if not branches:
            return ""
        if "" in node:
            return f"(?:{'|'.join(branches)})?"
        return f"(?:{'|'.join(branches)})" if len(branches) > 1 else branches[0]

    # No words: a pattern that never matches (an empty one would match everywhere).
    return emit(root) if root else "(?!)"


# TLD lists copied from twitter-text's js/src/regexp/validGTLD.js and validCCTLD.js
# (https://github.com/twitter/twitter-text, Apache License 2.0), in their order.
_GTLDS = (
    "삼성|닷컴|닷넷|香格里拉|餐厅|食品|飞利浦|電訊盈科|集团|通販|购物|谷歌|诺基亚|联通|网络|"
    "网站|网店|网址|组织机构|移动|珠宝|点看|游戏|淡马锡|机构|書籍|时尚|新闻|政府|政务|招聘|"
    "手表|手机|我爱你|慈善|微博|广东|工行|家電|娱乐|天主教|大拿|大众汽车|在线|嘉里大酒店|"
    "嘉里|商标|商店|商城|公益|公司|八卦|健康|信息|佛山|企业|中文网|中信|世界|ポイント|"
    "ファッション|セール|ストア|コム|グーグル|クラウド|みんな|คอม|संगठन|नेट|कॉम|همراه|موقع|"
    "موبايلي|كوم|كاثوليك|عرب|شبكة|بيتك|بازار|العليان|ارامكو|اتصالات|ابوظبي|קום|сайт|рус|орг|"  # noqa: RUF001 (Cyrillic TLDs)
    "онлайн|москва|ком|католик|дети|zuerich|zone|zippo|zip|zero|zara|zappos|yun|youtube|you|"
    "yokohama|yoga|yodobashi|yandex|yamaxun|yahoo|yachts|xyz|xxx|xperia|xin|xihuan|xfinity|"
    "xerox|xbox|wtf|wtc|wow|world|works|work|woodside|wolterskluwer|wme|winners|wine|windows|"
    "win|williamhill|wiki|wien|whoswho|weir|weibo|wedding|wed|website|weber|webcam|"
    "weatherchannel|weather|watches|watch|warman|wanggou|wang|walter|walmart|wales|vuelos|"
    "voyage|voto|voting|vote|volvo|volkswagen|vodka|vlaanderen|vivo|viva|vistaprint|vista|"
    "vision|visa|virgin|vip|vin|villas|viking|vig|video|viajes|vet|versicherung|"
    "vermögensberatung|vermögensberater|verisign|ventures|vegas|vanguard|vana|vacations|ups|"
    "uol|uno|university|unicom|uconnect|ubs|ubank|tvs|tushu|tunes|tui|tube|trv|trust|"
    "travelersinsurance|travelers|travelchannel|travel|training|trading|trade|toys|toyota|"
    "town|tours|total|toshiba|toray|top|tools|tokyo|today|tmall|tkmaxx|tjx|tjmaxx|tirol|"
    "tires|tips|tiffany|tienda|tickets|tiaa|theatre|theater|thd|teva|tennis|temasek|"
    "telefonica|telecity|tel|technology|tech|team|tdk|tci|taxi|tax|tattoo|tatar|tatamotors|"
    "target|taobao|talk|taipei|tab|systems|symantec|sydney|swiss|swiftcover|swatch|suzuki|"
    "surgery|surf|support|supply|supplies|sucks|style|study|studio|stream|store|storage|"
    "stockholm|stcgroup|stc|statoil|statefarm|statebank|starhub|star|staples|stada|srt|srl|"
    "spreadbetting|spot|sport|spiegel|space|soy|sony|song|solutions|solar|sohu|software|"
    "softbank|social|soccer|sncf|smile|smart|sling|skype|sky|skin|ski|site|singles|sina|silk|"
    "shriram|showtime|show|shouji|shopping|shop|shoes|shiksha|shia|shell|shaw|sharp|"
    "shangrila|sfr|sexy|sex|sew|seven|ses|services|sener|select|seek|security|secure|seat|"
    "search|scot|scor|scjohnson|science|schwarz|schule|school|scholarships|schmidt|"
    "schaeffler|scb|sca|sbs|sbi|saxo|save|sas|sarl|sapo|sap|sanofi|sandvikcoromant|sandvik|"
    "samsung|samsclub|salon|sale|sakura|safety|safe|saarland|ryukyu|rwe|run|ruhr|rugby|rsvp|"
    "room|rogers|rodeo|rocks|rocher|rmit|rip|rio|ril|rightathome|ricoh|richardli|rich|"
    "rexroth|reviews|review|restaurant|rest|republican|report|repair|rentals|rent|ren|"
    "reliance|reit|reisen|reise|rehab|redumbrella|redstone|red|recipes|realty|realtor|"
    "realestate|read|raid|radio|racing|qvc|quest|quebec|qpon|pwc|pub|prudential|pru|"
    "protection|property|properties|promo|progressive|prof|productions|prod|pro|prime|press|"
    "praxi|pramerica|post|porn|politie|poker|pohl|pnc|plus|plumbing|playstation|play|place|"
    "pizza|pioneer|pink|ping|pin|pid|pictures|pictet|pics|piaget|physio|photos|photography|"
    "photo|phone|philips|phd|pharmacy|pfizer|pet|pccw|pay|passagens|party|parts|partners|"
    "pars|paris|panerai|panasonic|pamperedchef|page|ovh|ott|otsuka|osaka|origins|"
    "orientexpress|organic|org|orange|oracle|open|ooo|onyourside|online|onl|ong|one|omega|"
    "ollo|oldnavy|olayangroup|olayan|okinawa|office|off|observer|obi|nyc|ntt|nrw|nra|nowtv|"
    "nowruz|now|norton|northwesternmutual|nokia|nissay|nissan|ninja|nikon|nike|nico|nhk|ngo|"
    "nfl|nexus|nextdirect|next|news|newholland|new|neustar|network|netflix|netbank|net|nec|"
    "nba|navy|natura|nationwide|name|nagoya|nadex|nab|mutuelle|mutual|museum|mtr|mtpc|mtn|"
    "msd|movistar|movie|mov|motorcycles|moto|moscow|mortgage|mormon|mopar|montblanc|monster|"
    "money|monash|mom|moi|moe|moda|mobily|mobile|mobi|mma|mls|mlb|mitsubishi|mit|mint|mini|"
    "mil|microsoft|miami|metlife|merckmsd|meo|menu|men|memorial|meme|melbourne|meet|media|"
    "med|mckinsey|mcdonalds|mcd|mba|mattel|maserati|marshalls|marriott|markets|marketing|"
    "market|map|mango|management|man|makeup|maison|maif|madrid|macys|luxury|luxe|lupin|"
    "lundbeck|ltda|ltd|lplfinancial|lpl|love|lotto|lotte|london|lol|loft|locus|locker|loans|"
    "loan|llp|llc|lixil|living|live|lipsy|link|linde|lincoln|limo|limited|lilly|like|"
    "lighting|lifestyle|lifeinsurance|life|lidl|liaison|lgbt|lexus|lego|legal|lefrak|leclerc|"
    "lease|lds|lawyer|law|latrobe|latino|lat|lasalle|lanxess|landrover|land|lancome|lancia|"
    "lancaster|lamer|lamborghini|ladbrokes|lacaixa|kyoto|kuokgroup|kred|krd|kpn|kpmg|kosher|"
    "komatsu|koeln|kiwi|kitchen|kindle|kinder|kim|kia|kfh|kerryproperties|kerrylogistics|"
    "kerryhotels|kddi|kaufen|juniper|juegos|jprs|jpmorgan|joy|jot|joburg|jobs|jnj|jmp|jll|"
    "jlc|jio|jewelry|jetzt|jeep|jcp|jcb|java|jaguar|iwc|iveco|itv|itau|istanbul|ist|ismaili|"
    "iselect|irish|ipiranga|investments|intuit|international|intel|int|insure|insurance|"
    "institute|ink|ing|info|infiniti|industries|inc|immobilien|immo|imdb|imamat|ikano|iinet|"
    "ifm|ieee|icu|ice|icbc|ibm|hyundai|hyatt|hughes|htc|hsbc|how|house|hotmail|hotels|"
    "hoteles|hot|hosting|host|hospital|horse|honeywell|honda|homesense|homes|homegoods|"
    "homedepot|holiday|holdings|hockey|hkt|hiv|hitachi|hisamitsu|hiphop|hgtv|hermes|here|"
    "helsinki|help|healthcare|health|hdfcbank|hdfc|hbo|haus|hangout|hamburg|hair|guru|"
    "guitars|guide|guge|gucci|guardian|group|grocery|gripe|green|gratis|graphics|grainger|"
    "gov|got|gop|google|goog|goodyear|goodhands|goo|golf|goldpoint|gold|godaddy|gmx|gmo|gmbh|"
    "gmail|globo|global|gle|glass|glade|giving|gives|gifts|gift|ggee|george|genting|gent|gea|"
    "gdn|gbiz|gay|garden|gap|games|game|gallup|gallo|gallery|gal|fyi|futbol|furniture|fund|"
    "fun|fujixerox|fujitsu|ftr|frontier|frontdoor|frogans|frl|fresenius|free|fox|foundation|"
    "forum|forsale|forex|ford|football|foodnetwork|food|foo|fly|flsmidth|flowers|florist|"
    "flir|flights|flickr|fitness|fit|fishing|fish|firmdale|firestone|fire|financial|finance|"
    "final|film|fido|fidelity|fiat|ferrero|ferrari|feedback|fedex|fast|fashion|farmers|farm|"
    "fans|fan|family|faith|fairwinds|fail|fage|extraspace|express|exposed|expert|exchange|"
    "everbank|events|eus|eurovision|etisalat|esurance|estate|esq|erni|ericsson|equipment|"
    "epson|epost|enterprises|engineering|engineer|energy|emerck|email|education|edu|edeka|"
    "eco|eat|earth|dvr|dvag|durban|dupont|duns|dunlop|duck|dubai|dtv|drive|download|dot|"
    "doosan|domains|doha|dog|dodge|doctor|docs|dnp|diy|dish|discover|discount|directory|"
    "direct|digital|diet|diamonds|dhl|dev|design|desi|dentist|dental|democrat|delta|deloitte|"
    "dell|delivery|degree|deals|dealer|deal|dds|dclk|day|datsun|dating|date|data|dance|dad|"
    "dabur|cyou|cymru|cuisinella|csc|cruises|cruise|crs|crown|cricket|creditunion|creditcard|"
    "credit|cpa|courses|coupons|coupon|country|corsica|coop|cool|cookingchannel|cooking|"
    "contractors|contact|consulting|construction|condos|comsec|computer|compare|company|"
    "community|commbank|comcast|com|cologne|college|coffee|codes|coach|clubmed|club|cloud|"
    "clothing|clinique|clinic|click|cleaning|claims|cityeats|city|citic|citi|citadel|cisco|"
    "circle|cipriani|church|chrysler|chrome|christmas|chloe|chintai|cheap|chat|chase|charity|"
    "channel|chanel|cfd|cfa|cern|ceo|center|ceb|cbs|cbre|cbn|cba|catholic|catering|cat|"
    "casino|cash|caseih|case|casa|cartier|cars|careers|career|care|cards|caravan|car|"
    "capitalone|capital|capetown|canon|cancerresearch|camp|camera|cam|calvinklein|call|cal|"
    "cafe|cab|bzh|buzz|buy|business|builders|build|bugatti|budapest|brussels|brother|broker|"
    "broadway|bridgestone|bradesco|box|boutique|bot|boston|bostik|bosch|boots|booking|book|"
    "boo|bond|bom|bofa|boehringer|boats|bnpparibas|bnl|bmw|bms|blue|bloomberg|blog|"
    "blockbuster|blanco|blackfriday|black|biz|bio|bingo|bing|bike|bid|bible|bharti|bet|"
    "bestbuy|best|berlin|bentley|beer|beauty|beats|bcn|bcg|bbva|bbt|bbc|bayern|bauhaus|"
    "basketball|baseball|bargains|barefoot|barclays|barclaycard|barcelona|bar|bank|band|"
    "bananarepublic|banamex|baidu|baby|azure|axa|aws|avianca|autos|auto|author|auspost|audio|"
    "audible|audi|auction|attorney|athleta|associates|asia|asda|arte|art|arpa|army|archi|"
    "aramco|arab|aquarelle|apple|app|apartments|aol|anz|anquan|android|analytics|amsterdam|"
    "amica|amfam|amex|americanfamily|americanexpress|alstom|alsace|ally|allstate|allfinanz|"
    "alipay|alibaba|alfaromeo|akdn|airtel|airforce|airbus|aigo|aig|agency|agakhan|africa|afl|"
    "afamilycompany|aetna|aero|aeg|adult|ads|adac|actor|active|aco|accountants|accountant|"
    "accenture|academy|abudhabi|abogado|able|abc|abbvie|abbott|abb|abarth|aarp|aaa|onion"
)

_CCTLDS = (
    "한국|香港|澳門|新加坡|台灣|台湾|中國|中国|გე|ລາວ|ไทย|ලංකා|ഭാരതം|ಭಾರತ|భారత్|சிங்கப்பூர்|"
    "இலங்கை|இந்தியா|ଭାରତ|ભારત|ਭਾਰਤ|ভাৰত|ভারত|বাংলা|भारोत|भारतम्|भारत|ڀارت|پاکستان|موريتانيا|"
    "مليسيا|مصر|قطر|فلسطين|عمان|عراق|سورية|سودان|تونس|بھارت|بارت|ایران|امارات|المغرب|"
    "السعودية|الجزائر|البحرين|الاردن|հայ|қаз|укр|срб|рф|мон|мкд|ею|бел|бг|ευ|ελ|zw|zm|za|yt|"  # noqa: RUF001 (Cyrillic TLDs)
    "ye|ws|wf|vu|vn|vi|vg|ve|vc|va|uz|uy|us|um|uk|ug|ua|tz|tw|tv|tt|tr|tp|to|tn|tm|tl|tk|tj|"
    "th|tg|tf|td|tc|sz|sy|sx|sv|su|st|ss|sr|so|sn|sm|sl|sk|sj|si|sh|sg|se|sd|sc|sb|sa|rw|ru|"
    "rs|ro|re|qa|py|pw|pt|ps|pr|pn|pm|pl|pk|ph|pg|pf|pe|pa|om|nz|nu|nr|np|no|nl|ni|ng|nf|ne|"
    "nc|na|mz|my|mx|mw|mv|mu|mt|ms|mr|mq|mp|mo|mn|mm|ml|mk|mh|mg|mf|me|md|mc|ma|ly|lv|lu|lt|"
    "ls|lr|lk|li|lc|lb|la|kz|ky|kw|kr|kp|kn|km|ki|kh|kg|ke|jp|jo|jm|je|it|is|ir|iq|io|in|im|"
    "il|ie|id|hu|ht|hr|hn|hm|hk|gy|gw|gu|gt|gs|gr|gq|gp|gn|gm|gl|gi|gh|gg|gf|ge|gd|gb|ga|fr|"
    "fo|fm|fk|fj|fi|eu|et|es|er|eh|eg|ee|ec|dz|do|dm|dk|dj|de|cz|cy|cx|cw|cv|cu|cr|co|cn|cm|"
    "cl|ck|ci|ch|cg|cf|cd|cc|ca|bz|by|bw|bv|bt|bs|br|bq|bo|bn|bm|bl|bj|bi|bh|bg|bf|be|bd|bb|"
    "ba|az|ax|aw|au|at|as|ar|aq|ao|an|am|al|ai|ag|af|ae|ad|ac"
)
_GTLD_LIST = _GTLDS.split("|")
_CCTLD_LIST = _CCTLDS.split("|")
_TLDS = frozenset(_GTLD_LIST + _CCTLD_LIST)
_LONGEST_TLD = max(map(len, _TLDS))
