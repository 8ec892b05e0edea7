//! Finds the documented path template an actual request path belongs to. Literal segments
//! beat `{param}` segments (`/v1/hosts/ping` is not `/v1/hosts/{id}`), as in the router.

/// A path template such as `/v1/users/{id}`, split into segments.
#[derive(Debug, Clone)]
pub struct Template {
    pub template: String,
    segments: Vec<Segment>,
}

#[derive(Debug, Clone)]
enum Segment {
    Literal(String),
    Param,
}

impl Template {
    pub fn new(template: &str) -> Template {
        let segments = split(template)
            .map(|s| {
                if s.starts_with('{') && s.ends_with('}') {
                    Segment::Param
                } else {
                    Segment::Literal(s.to_string())
                }
            })
            .collect();
        Template { template: template.to_string(), segments }
    }

    /// How many literal segments matched, or None when the path is not this template's.
    fn score(&self, path: &[&str]) -> Option<usize> {
        if path.len() != self.segments.len() {
            return None;
        }
        let mut literals = 0;
        for (seg, part) in self.segments.iter().zip(path) {
            match seg {
                Segment::Literal(l) if l == part => literals += 1,
                Segment::Literal(_) => return None,
                Segment::Param if part.is_empty() => return None,
                Segment::Param => {}
            }
        }
        Some(literals)
    }
}

fn split(path: &str) -> impl Iterator<Item = &str> {
    path.trim_start_matches('/').split('/')
}

/// The template that matches `path` best (most literal segments), if any.
pub fn best_match<'a>(templates: &'a [Template], path: &str) -> Option<&'a Template> {
    let parts: Vec<&str> = split(path).collect();
    templates
        .iter()
        .filter_map(|t| t.score(&parts).map(|s| (s, t)))
        .max_by_key(|(s, _)| *s)
        .map(|(_, t)| t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_segments_win_over_parameters() {
        let ts = vec![
            Template::new("/v1/hosts/{id}"),
            Template::new("/v1/hosts/ping"),
            Template::new("/v1/hosts/{id}/ping"),
        ];
        assert_eq!(best_match(&ts, "/v1/hosts/ping").unwrap().template, "/v1/hosts/ping");
        assert_eq!(best_match(&ts, "/v1/hosts/abc").unwrap().template, "/v1/hosts/{id}");
        assert_eq!(best_match(&ts, "/v1/hosts/abc/ping").unwrap().template, "/v1/hosts/{id}/ping");
        assert!(best_match(&ts, "/v1/hosts").is_none());
        assert!(best_match(&ts, "/v1/hosts//ping").is_none());
    }
}
