//! What a search matches: a plain word matches names containing it, a glob (`*`, `?`,
//! `[a-z]`, `[!x]`) matches whole names, and either one with a `/` in it is held against
//! the full path instead of the name. Case never matters.

pub struct Pattern {
    /// Lower-cased pattern characters.
    chars: Vec<char>,
    glob: bool,
    full_path: bool,
}

impl Pattern {
    pub fn new(pattern: &str) -> Pattern {
        let pattern = pattern.trim();
        Pattern {
            chars: pattern.chars().flat_map(char::to_lowercase).collect(),
            glob: pattern.contains(['*', '?', '[']),
            full_path: pattern.contains('/'),
        }
    }

    /// Does the entry `name` in directory `dir` match?
    pub fn matches(&self, dir: &str, name: &str) -> bool {
        if self.full_path {
            let path = if dir == "/" { format!("/{name}") } else { format!("{dir}/{name}") };
            self.matches_text(&path)
        } else {
            self.matches_text(name)
        }
    }

    fn matches_text(&self, text: &str) -> bool {
        if self.glob {
            let t: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
            glob(&self.chars, &t)
        } else {
            contains_folded(text, &self.chars)
        }
    }
}

/// Case-insensitive substring test without allocating for the common ASCII case.
fn contains_folded(text: &str, needle: &[char]) -> bool {
    if needle.is_empty() {
        return true;
    }
    if text.is_ascii() && needle.iter().all(char::is_ascii) {
        let t = text.as_bytes();
        let n: Vec<u8> = needle.iter().map(|c| *c as u8).collect();
        return t
            .windows(n.len())
            .any(|w| w.iter().zip(&n).all(|(a, b)| a.to_ascii_lowercase() == *b));
    }
    let t: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    t.windows(needle.len()).any(|w| w == needle)
}

/// Whole-text glob match: `*` any run (slashes included), `?` one character, `[...]` a
/// class with ranges and `!`/`^` negation. Backtracks only to the last star, so it is
/// linear-ish, never exponential.
fn glob(p: &[char], t: &[char]) -> bool {
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, ti));
                    pi += 1;
                    continue;
                }
                '?' => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                '[' => {
                    if let Some((ok, next)) = class(p, pi, t[ti])
                        && ok
                    {
                        pi = next;
                        ti += 1;
                        continue;
                    }
                }
                c if c == t[ti] => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, st)) => {
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// Matches `c` against the class starting at `p[at] == '['`: (matched, index after `]`).
/// An unclosed `[` is no class (`None`) and so matches nothing.
fn class(p: &[char], at: usize, c: char) -> Option<(bool, usize)> {
    let mut i = at + 1;
    let negate = matches!(p.get(i), Some('!' | '^'));
    if negate {
        i += 1;
    }
    let mut hit = false;
    let mut first = true;
    while i < p.len() {
        if p[i] == ']' && !first {
            return Some((hit != negate, i + 1));
        }
        first = false;
        if i + 2 < p.len() && p[i + 1] == '-' && p[i + 2] != ']' {
            hit |= p[i] <= c && c <= p[i + 2];
            i += 3;
        } else {
            hit |= p[i] == c;
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::Pattern;

    #[test]
    fn words_globs_and_paths() {
        let p = Pattern::new("NGINX");
        assert!(p.matches("/etc/nginx", "nginx.conf"));
        assert!(!p.matches("/etc/nginx", "sites"));
        let g = Pattern::new("*.conf");
        assert!(g.matches("/etc", "nginx.conf"));
        assert!(!g.matches("/etc", "nginx.conf.bak"), "a glob matches the whole name");
        assert!(Pattern::new("file?.[tc]xt").matches("/d", "File1.txt"));
        assert!(!Pattern::new("file?.[!t]xt").matches("/d", "file1.txt"));
        assert!(Pattern::new("[a-c]*").matches("/d", "beta"));
        let full = Pattern::new("/etc/*/nginx.conf");
        assert!(full.matches("/etc/nginx", "nginx.conf"));
        assert!(!full.matches("/srv", "nginx.conf"));
        assert!(Pattern::new("nginx/sites").matches("/etc/nginx", "sites-enabled"));
        assert!(Pattern::new("ÉTÉ").matches("/", "photos-été.jpg"));
        assert!(!Pattern::new("[abc").matches("/", "a"), "an unclosed class matches nothing");
        assert!(Pattern::new("a*b*c*d*e*f*g").matches("/", "a-b-c-d-e-f-g"));
        assert!(!Pattern::new("a*a*a*a*a*a*b").matches("/", &"a".repeat(200)));
    }
}
