//! A small Rust tokenizer: identifiers, `::` and single punctuation with their line numbers.
//! Comments, string, char and number literals are dropped; items under `#[cfg(test)]` too.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    Ident(String),
    Colons,
    Punct(char),
}

#[derive(Debug, Clone)]
pub struct Token {
    pub tok: Tok,
    pub line: usize,
}

impl Token {
    pub fn is(&self, c: char) -> bool {
        self.tok == Tok::Punct(c)
    }

    pub fn ident(&self) -> Option<&str> {
        match &self.tok {
            Tok::Ident(s) => Some(s),
            _ => None,
        }
    }
}

/// The tokens of `src` outside comments and literals.
pub fn tokenize(src: &str) -> Vec<Token> {
    let c: Vec<char> = src.chars().collect();
    let (mut out, mut i, mut line) = (Vec::new(), 0, 1);
    let at = |i: usize| c.get(i).copied().unwrap_or('\0');
    while i < c.len() {
        let ch = c[i];
        let start_line = line;
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    line += usize::from(c[i] == '\n');
                    i += 1;
                }
            }
        } else if ch == '"' {
            i = skip_string(&c, i + 1, &mut line);
        } else if let Some(end) = raw_string(&c, i, &mut line) {
            i = end;
        } else if (ch == 'b' || ch == 'c') && at(i + 1) == '"' {
            i = skip_string(&c, i + 2, &mut line);
        } else if ch == 'b' && at(i + 1) == '\'' {
            i = skip_char(&c, i + 2);
        } else if ch == '\'' {
            // A char literal ('a', '\n', '\u{1F600}') or a lifetime/label ('a, 'static).
            if at(i + 1) == '\\' || at(i + 2) == '\'' {
                i = skip_char(&c, i + 1);
            } else {
                i += 1;
                while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                    i += 1;
                }
            }
        } else if ch.is_ascii_digit() {
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
        } else if ch.is_alphabetic() || ch == '_' || (ch == '$' && at(i + 1).is_alphabetic()) {
            let s = i;
            i += 1;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            let word: String = c[s..i].iter().collect();
            let word = word.strip_prefix("r#").unwrap_or(&word).trim_start_matches('$').to_owned();
            out.push(Token { tok: Tok::Ident(word), line: start_line });
        } else if ch == ':' && at(i + 1) == ':' {
            out.push(Token { tok: Tok::Colons, line });
            i += 2;
        } else {
            out.push(Token { tok: Tok::Punct(ch), line });
            i += 1;
        }
    }
    out
}

/// After an opening `"`: the index past the closing one.
fn skip_string(c: &[char], mut i: usize, line: &mut usize) -> usize {
    while i < c.len() && c[i] != '"' {
        *line += usize::from(c[i] == '\n');
        i += if c[i] == '\\' { 2 } else { 1 };
    }
    i + 1
}

/// After an opening `'` of a char literal: the index past the closing one.
fn skip_char(c: &[char], mut i: usize) -> usize {
    while i < c.len() && c[i] != '\'' {
        i += if c[i] == '\\' { 2 } else { 1 };
    }
    i + 1
}

/// `r"…"`, `r#"…"#`, `br#"…"#`, `cr"…"` at `i`: the index past its end.
fn raw_string(c: &[char], i: usize, line: &mut usize) -> Option<usize> {
    let mut j = i;
    if matches!(c.get(j), Some('b' | 'c')) {
        j += 1;
    }
    if c.get(j) != Some(&'r') || (i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_')) {
        return None;
    }
    j += 1;
    let hashes = c[j..].iter().take_while(|&&h| h == '#').count();
    j += hashes;
    if c.get(j) != Some(&'"') {
        return None;
    }
    j += 1;
    while j < c.len() {
        if c[j] == '"' && c[j + 1..].iter().take(hashes).filter(|&&h| h == '#').count() == hashes {
            return Some(j + 1 + hashes);
        }
        *line += usize::from(c[j] == '\n');
        j += 1;
    }
    Some(j)
}

/// The tokens without the items under `#[cfg(test)]`, and the names of the module files declared
/// that way (`#[cfg(test)] mod tests;`). A file with `#![cfg(test)]` has no tokens left.
pub fn strip_tests(toks: Vec<Token>) -> (Vec<Token>, Vec<String>) {
    let cfg_test = |i: usize, inner: bool| {
        let head: &[char] = if inner { &['#', '!', '['] } else { &['#', '['] };
        let n = head.len();
        toks.len() > i + n + 4
            && head.iter().enumerate().all(|(k, &h)| toks[i + k].is(h))
            && toks[i + n].ident() == Some("cfg")
            && toks[i + n + 1].is('(')
            && toks[i + n + 2].ident() == Some("test")
            && toks[i + n + 3].is(')')
            && toks[i + n + 4].is(']')
    };
    if (0..toks.len()).any(|i| cfg_test(i, true)) {
        return (Vec::new(), Vec::new());
    }
    let (mut out, mut test_mods, mut i) = (Vec::new(), Vec::new(), 0);
    while i < toks.len() {
        if !cfg_test(i, false) {
            out.push(toks[i].clone());
            i += 1;
            continue;
        }
        i += 7;
        let item = i;
        let mut depth = 0i32;
        while i < toks.len() {
            let t = &toks[i];
            i += 1;
            if t.is('(') || t.is('[') || t.is('{') {
                depth += 1;
            } else if t.is(')') || t.is(']') {
                depth -= 1;
            } else if t.is('}') {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            } else if t.is(';') && depth == 0 {
                break;
            }
        }
        let words: Vec<_> = toks[item..i].iter().filter_map(Token::ident).collect();
        if let Some(m) = words.iter().position(|w| *w == "mod")
            && toks[i - 1].is(';')
        {
            test_mods.push(words[m + 1].to_owned());
        }
    }
    (out, test_mods)
}
