//! Tests of the corpus: determinism, the event mix, payload shapes, routing, gating
//! and the MESSAGE_CONTENT rule.

use super::*;

#[test]
fn smoke() {
    let p = payloads(1, 100);
    assert_eq!(p.len(), 100);
}
