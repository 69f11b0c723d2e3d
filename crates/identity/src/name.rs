//! A company name taken apart: region, core (字号), trade (行业), legal form and branch.
//!
//! Chinese company names follow 行政区划 + 字号 + 行业 + 组织形式 (苏州 华芯 科技 有限公司), and
//! the region may instead follow the trade in brackets (华芯科技(苏州)有限公司). A branch is the
//! parent's full name, a label and a marker (华芯科技有限公司 苏州 分公司). [`CompanyName::parse`]
//! reads all of these after [`fold`](crate::fold::fold), so the forms people write for one
//! company — region in front or in brackets, 有限公司 or 有限责任公司, traditional characters,
//! full-width brackets, stray spaces — give the same [`CompanyName::key`].

use crate::fold::fold_char;
use crate::lexicon::{canonical_place, BRANCH_MARKERS, JIEBA, LEXICON, PARENT_FORMS};
use std::fmt;

/// A parsed company name. Every part is folded (half-width, simplified, lower-case).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CompanyName {
    /// The place the name carries, shortened (苏州市 → 苏州), from the front or from brackets.
    pub region: Option<String>,
    /// The core name (字号): 华芯. Never empty for a non-empty name.
    pub core: String,
    /// The trade words after the core (科技, 电子科技), possibly empty.
    pub trade: String,
    /// The legal form (有限公司, 集团股份有限公司), possibly empty.
    pub form: String,
    /// For a branch, its label and marker (苏州分公司, 分公司); `None` for a company itself.
    pub branch: Option<String>,
}

/// Characters of a string, for slicing by character.
fn chars(s: &str) -> Vec<char> {
    s.chars().collect()
}

fn collect(cs: &[char]) -> String {
    cs.iter().collect()
}

/// The longest word of `set` that `cs` starts with (at least 2 characters), in characters.
#[cfg(test)]
fn longest_prefix(cs: &[char], max: usize, set: impl Fn(&str) -> bool) -> Option<usize> {
    let limit = max.min(cs.len());
    with_utf8(&cs[..limit], |text, starts| {
        (2..=limit).rev().find(|&n| set(&text[..starts[n]]))
    })
}

/// The longest word of `set` that `cs` ends with (at least 1 character), in characters.
fn longest_suffix(cs: &[char], max: usize, set: impl Fn(&str) -> bool) -> Option<usize> {
    let limit = max.min(cs.len());
    with_utf8(&cs[cs.len() - limit..], |text, starts| {
        (1..=limit).rev().find(|&n| set(&text[starts[limit - n]..]))
    })
}

/// The longest place name `cs` starts with (at least 2 characters), in characters: the
/// same as [`longest_prefix`] with the place list, but it reads on only while what it has
/// read begins some place name, so it looks up a few strings rather than one per length.
fn longest_place_prefix(cs: &[char], buf: &mut String) -> Option<usize> {
    let lex = &*LEXICON;
    buf.clear();
    let mut best = None;
    for (i, &c) in cs.iter().take(lex.max_place_chars).enumerate() {
        buf.push(c);
        if !lex.place_prefixes.contains(buf.as_str()) {
            break;
        }
        if i >= 1 && lex.places.contains(buf.as_str()) {
            best = Some(i + 1);
        }
    }
    best
}

/// The longest legal form `cs` ends with, in characters: [`longest_suffix`] with the form
/// list, reading back only while what it has read ends some legal form.
fn longest_form_suffix(cs: &[char], buf: &mut String) -> Option<usize> {
    let lex = &*LEXICON;
    let tail = &cs[cs.len() - lex.max_form_chars.min(cs.len())..];
    buf.clear();
    buf.extend(tail);
    let mut start = buf.len();
    let mut best = None;
    for (i, c) in tail.iter().rev().enumerate() {
        start -= c.len_utf8();
        let ending = &buf[start..];
        if !lex.form_suffixes.contains(ending) {
            break;
        }
        if lex.forms.contains(ending) {
            best = Some(i + 1);
        }
    }
    best
}

/// Characters up to this many are encoded on the stack by [`with_utf8`].
const STACK_CHARS: usize = 32;

/// Calls `f` with `cs` as UTF-8 and the byte offset at which each character starts (and the
/// length at the end), without allocating for a short run, so that every prefix or suffix
/// can be looked up in a word list as a `&str`.
fn with_utf8<R>(cs: &[char], f: impl FnOnce(&str, &[usize]) -> R) -> R {
    if cs.len() <= STACK_CHARS {
        let mut buf = [0u8; STACK_CHARS * 4];
        let mut starts = [0usize; STACK_CHARS + 1];
        let mut at = 0;
        for (i, c) in cs.iter().enumerate() {
            starts[i] = at;
            at += c.encode_utf8(&mut buf[at..]).len();
        }
        starts[cs.len()] = at;
        let text = std::str::from_utf8(&buf[..at]).expect("encoded characters");
        f(text, &starts[..=cs.len()])
    } else {
        let text = collect(cs);
        let starts: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(text.len()))
            .collect();
        f(&text, &starts)
    }
}

fn is_place(s: &str) -> bool {
    LEXICON.places.contains(s)
}

fn is_form(s: &str) -> bool {
    LEXICON.forms.contains(s)
}

impl CompanyName {
    /// Takes a name apart. Never fails: an odd name gives an odd but stable parse, with
    /// whatever is not a region, trade, form or branch in `core`.
    pub fn parse(raw: &str) -> Self {
        // 1. Bracketed parts (of the folded name): a place is the region, a legal form joins
        //    the form, anything else stays in the name without its brackets.
        let mut rest = String::with_capacity(raw.len());
        let mut bracket_region: Option<String> = None;
        let mut bracket_forms = String::new();
        let mut it = raw.chars().filter_map(fold_char);
        while let Some(c) = it.next() {
            if c == '(' {
                let mut inner = String::new();
                for d in it.by_ref() {
                    if d == ')' {
                        break;
                    }
                    if d != '(' {
                        inner.push(d);
                    }
                }
                if is_place(&inner) && bracket_region.is_none() {
                    bracket_region = Some(canonical_place(&inner).to_string());
                } else if is_form(&inner) {
                    bracket_forms.push_str(&inner);
                } else {
                    rest.push_str(&inner);
                }
            } else if c != ')' {
                rest.push(c);
            }
        }
        let mut cs = chars(&rest);

        // 2. Branch: a marker at the end; the parent's name ends at the last legal form
        //    before it, or else the label is a place just before the marker.
        let mut branch = None;
        if let Some(m) = BRANCH_MARKERS
            .iter()
            .filter(|m| rest.ends_with(*m) && rest.len() > m.len())
            .max_by_key(|m| m.len())
        {
            let marker_chars = m.chars().count();
            let body = &cs[..cs.len() - marker_chars];
            let body_str = collect(body);
            let parent_end = PARENT_FORMS
                .iter()
                .filter_map(|f| body_str.rfind(f).map(|p| p + f.len()))
                .filter(|&end| end > 0)
                .max()
                .map(|byte_end| body_str[..byte_end].chars().count());
            let split = match parent_end {
                Some(end) if end >= 2 => end,
                _ => {
                    let label = longest_suffix(body, LEXICON.max_place_chars, is_place)
                        .filter(|&n| body.len() - n >= 2)
                        .unwrap_or(0);
                    body.len() - label
                }
            };
            let label: String = collect(&body[split..]);
            let label = canonical_place(&label).to_string();
            branch = Some(format!("{label}{m}"));
            cs.truncate(split);
        }

        // 3. Legal forms at the end, longest first, repeatedly (集团 + 股份有限公司), while at
        //    least two characters are left.
        //    The forms found are the characters from `len` on.
        let mut buf = String::with_capacity(64);
        let mut len = cs.len();
        while let Some(n) = longest_form_suffix(&cs[..len], &mut buf) {
            if len - n < 2 {
                break;
            }
            len -= n;
        }
        let mut form = collect(&cs[len..]);
        form.push_str(&bracket_forms);
        cs.truncate(len);

        // 4. Places at the front (江苏省苏州市…), most specific last, unless what would be left
        //    is a bare trade word (长城科技 keeps 长城 as its core).
        let mut prefix_region = None;
        while let Some(n) = longest_place_prefix(&cs, &mut buf) {
            buf.clear();
            buf.extend(&cs[n..]);
            if cs.len() - n < 2 || LEXICON.trades.contains(buf.as_str()) {
                break;
            }
            prefix_region = Some(canonical_place(&collect(&cs[..n])).to_string());
            cs.drain(..n);
        }

        // 5. Core and trade: jieba cuts the middle; trade words at the end are the trade.
        let mut core = collect(&cs);
        let trade = match core_trade_split(&core) {
            Some(at) => {
                let trade = core[at..].to_string();
                core.truncate(at);
                trade
            }
            None => String::new(),
        };

        Self {
            region: prefix_region.or(bracket_region),
            core,
            trade,
            form,
            branch,
        }
    }

    /// Core and trade together (华芯科技): what two names of one company share.
    pub fn key(&self) -> String {
        format!("{}{}", self.core, self.trade)
    }

    /// Whether this is a branch (分公司, 分行 …) of the company named `parent`.
    pub fn is_branch_of(&self, parent: &CompanyName) -> bool {
        self.branch.is_some()
            && parent.branch.is_none()
            && self.core == parent.core
            && self.trade == parent.trade
    }

    /// The normal form: core, trade, region in brackets, form, branch
    /// (华芯科技(苏州)有限公司苏州分公司). Parsing it again gives the same parts.
    pub fn normalized(&self) -> String {
        self.to_string()
    }
}

/// Where the core of a name's middle part (core + trade, 华芯科技) ends, in bytes, if it has
/// a trade: jieba cuts the middle, and the trade words at the end are the trade.
fn core_trade_split(middle: &str) -> Option<usize> {
    let tokens = JIEBA.cut(middle, false);
    let mut split = tokens.len();
    while split > 1 && LEXICON.trades.contains(tokens[split - 1].word) {
        split -= 1;
    }
    let at = (split < tokens.len() && split > 0).then(|| tokens[split].byte_start);
    if at.is_some() {
        return at;
    }
    // jieba's dictionary knows some whole company names (华为技术): look for a trade word
    // at the end of the last token, leaving at least two characters of core.
    let mc = chars(middle);
    let last = tokens.last().map_or(0, |t| t.end - t.start);
    longest_suffix(&mc, last.saturating_sub(1), |w| LEXICON.trades.contains(w))
        .filter(|&n| mc.len() - n >= 2)
        .map(|n| {
            middle.len()
                - mc[mc.len() - n..]
                    .iter()
                    .map(|c| c.len_utf8())
                    .sum::<usize>()
        })
}

impl fmt::Display for CompanyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.core)?;
        f.write_str(&self.trade)?;
        if let Some(r) = &self.region {
            write!(f, "({r})")?;
        }
        f.write_str(&self.form)?;
        if let Some(b) = &self.branch {
            f.write_str(b)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(name: &str) -> (Option<String>, String, String, String, Option<String>) {
        let n = CompanyName::parse(name);
        (n.region, n.core, n.trade, n.form, n.branch)
    }

    fn p(
        region: Option<&str>,
        core: &str,
        trade: &str,
        form: &str,
        branch: Option<&str>,
    ) -> (Option<String>, String, String, String, Option<String>) {
        (
            region.map(String::from),
            core.into(),
            trade.into(),
            form.into(),
            branch.map(String::from),
        )
    }

    #[test]
    fn region_in_front_or_in_brackets() {
        let want = p(Some("苏州"), "华芯", "科技", "有限公司", None);
        assert_eq!(parts("苏州华芯科技有限公司"), want);
        assert_eq!(parts("苏州市华芯科技有限公司"), want);
        assert_eq!(parts("华芯科技(苏州)有限公司"), want);
        assert_eq!(parts("华芯科技（苏州）有限公司"), want);
        assert_eq!(parts("華芯科技（蘇州）有限公司"), want);
        assert_eq!(parts(" 华芯科技 ( 苏州 ) 有限公司 "), want);
        assert_eq!(parts("江苏省苏州市华芯科技有限公司"), want);
    }

    #[test]
    fn real_names() {
        assert_eq!(
            parts("华为技术有限公司"),
            p(None, "华为", "技术", "有限公司", None)
        );
        assert_eq!(
            parts("深圳市腾讯计算机系统有限公司"),
            p(Some("深圳"), "腾讯", "计算机系统", "有限公司", None)
        );
        // A brand that starts with a place name loses it to the region (宁德|时代): a known
        // limit, harmless for matching since every written form of it parses alike.
        let n = CompanyName::parse("宁德时代新能源科技股份有限公司");
        assert_eq!(n.region.as_deref(), Some("宁德"));
        assert_eq!(n.form, "股份有限公司");
        assert!(n.trade.ends_with("科技"), "{n:?}");
    }

    #[test]
    fn legal_forms() {
        for (name, form) in [
            ("苏州华芯科技有限公司", "有限公司"),
            ("苏州华芯科技有限责任公司", "有限责任公司"),
            ("苏州华芯科技股份有限公司", "股份有限公司"),
            ("苏州华芯科技集团有限公司", "集团有限公司"),
            ("苏州华芯科技集团", "集团"),
        ] {
            let n = CompanyName::parse(name);
            assert_eq!((n.core.as_str(), n.form.as_str()), ("华芯", form), "{name}");
            assert_eq!(n.key(), "华芯科技");
        }
        let n = CompanyName::parse("华芯创业投资中心(有限合伙)");
        assert!(n.form.ends_with("有限合伙"), "{n:?}");
    }

    #[test]
    fn branches() {
        let parent = CompanyName::parse("华芯科技有限公司");
        let branch = CompanyName::parse("华芯科技有限公司苏州分公司");
        assert_eq!(branch.branch.as_deref(), Some("苏州分公司"));
        assert_eq!(branch.key(), "华芯科技");
        assert!(branch.is_branch_of(&parent));
        assert!(!parent.is_branch_of(&branch));
        let short = CompanyName::parse("华芯科技苏州分公司");
        assert_eq!(short.branch.as_deref(), Some("苏州分公司"));
        assert!(short.is_branch_of(&parent));
        let bank = CompanyName::parse("中国工商银行股份有限公司苏州分行");
        assert_eq!(bank.branch.as_deref(), Some("苏州分行"));
    }

    #[test]
    fn a_place_that_is_the_core_stays() {
        let n = CompanyName::parse("长城科技有限公司");
        assert_eq!(n.core, "长城", "{n:?}");
        let n = CompanyName::parse("苏州中山科技有限公司");
        assert_eq!(
            (n.region.as_deref(), n.core.as_str()),
            (Some("苏州"), "中山")
        );
    }

    #[test]
    fn normal_form_round_trips() {
        for name in [
            "苏州华芯科技有限公司",
            "华芯科技有限公司苏州分公司",
            "華芯電子科技（蘇州）股份有限公司",
            "华芯",
            "",
        ] {
            let n = CompanyName::parse(name);
            assert_eq!(CompanyName::parse(&n.normalized()), n, "{name}");
        }
        assert_eq!(
            CompanyName::parse("苏州华芯科技有限公司").normalized(),
            "华芯科技(苏州)有限公司"
        );
    }

    #[test]
    fn prefixes_and_suffixes_past_the_stack_buffer() {
        for len in [
            STACK_CHARS - 1,
            STACK_CHARS,
            STACK_CHARS + 1,
            STACK_CHARS * 3,
        ] {
            let cs: Vec<char> = format!("苏州{}科技", "华".repeat(len)).chars().collect();
            let n = cs.len();
            assert_eq!(longest_prefix(&cs, n, |w| w == "苏州"), Some(2), "{len}");
            assert_eq!(longest_suffix(&cs, n, |w| w == "科技"), Some(2), "{len}");
            let whole = collect(&cs);
            assert_eq!(longest_prefix(&cs, n, |w| w == whole), Some(n), "{len}");
            assert_eq!(longest_suffix(&cs, n, |w| w == whole), Some(n), "{len}");
            assert_eq!(longest_suffix(&cs, n, |_| false), None);
        }
    }

    #[test]
    fn place_and_form_walks_agree_with_trying_every_length() {
        let mut buf = String::new();
        for name in [
            "江苏省苏州市华芯科技有限公司",
            "苏州华芯科技股份有限公司",
            "华阴市华芯科技集团有限公司",
            "新疆维吾尔自治区乌鲁木齐市天山科技有限责任公司",
            "华芯",
            "华",
            "",
            "中国华芯科技有限公司",
            "华芯创业投资中心有限合伙",
        ] {
            let cs = chars(name);
            assert_eq!(
                longest_place_prefix(&cs, &mut buf),
                longest_prefix(&cs, LEXICON.max_place_chars, is_place),
                "{name}"
            );
            assert_eq!(
                longest_form_suffix(&cs, &mut buf),
                longest_suffix(&cs, LEXICON.max_form_chars, is_form),
                "{name}"
            );
        }
    }
}
