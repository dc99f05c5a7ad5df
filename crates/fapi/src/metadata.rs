//! Unsafe metadata changes as the server applies them: a deep merge in which `null` removes a key
//! (the JSON merge patch of RFC 7396). The server applies [`apply_merge_patch`]; a client that
//! edits the whole object sends [`merge_patch`] of the old and new objects.

use serde_json::{Map, Value};

/// Applies `patch` to `target`: objects merge key by key, `null` removes a key, anything else
/// replaces.
pub fn apply_merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(target) = target {
        for (key, value) in patch {
            if value.is_null() {
                target.remove(key);
            } else {
                apply_merge_patch(target.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

/// The patch that turns `old` into `new` when applied with [`apply_merge_patch`].
///
/// A `null` inside `new` cannot survive a merge patch (it means "remove"); such keys are removed.
pub fn merge_patch(old: &Map<String, Value>, new: &Map<String, Value>) -> Map<String, Value> {
    let mut patch = Map::new();
    for key in old.keys() {
        if !new.contains_key(key) {
            patch.insert(key.clone(), Value::Null);
        }
    }
    for (key, new_value) in new {
        match (old.get(key), new_value) {
            (Some(old_value), _) if old_value == new_value => {}
            (Some(Value::Object(old_object)), Value::Object(new_object)) => {
                let nested = merge_patch(old_object, new_object);
                if !nested.is_empty() {
                    patch.insert(key.clone(), Value::Object(nested));
                }
            }
            _ => {
                patch.insert(key.clone(), new_value.clone());
            }
        }
    }
    patch
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => panic!("test fixture must be an object"),
        }
    }

    #[test]
    fn merge_is_deep_and_null_removes() {
        let mut target = json!({"theme": {"mode": "dark", "accent": "blue"}, "beta": true});
        apply_merge_patch(&mut target, &json!({"theme": {"accent": null, "font": 14}, "beta": null}));
        assert_eq!(target, json!({"theme": {"mode": "dark", "font": 14}}));
    }

    #[test]
    fn arrays_are_replaced_not_merged() {
        let mut target = json!({"tags": [1, 2, 3]});
        apply_merge_patch(&mut target, &json!({"tags": [4]}));
        assert_eq!(target, json!({"tags": [4]}));
    }

    #[test]
    fn patch_between_two_objects_reproduces_the_new_one() {
        let old = object(json!({"a": 1, "b": {"c": 2, "d": 3}, "gone": "x", "same": [1]}));
        let new = object(json!({"a": 2, "b": {"c": 2, "e": 4}, "same": [1], "added": {"k": true}}));
        let patch = merge_patch(&old, &new);
        assert_eq!(
            Value::Object(patch.clone()),
            json!({"a": 2, "b": {"d": null, "e": 4}, "gone": null, "added": {"k": true}})
        );
        let mut applied = Value::Object(old);
        apply_merge_patch(&mut applied, &Value::Object(patch));
        assert_eq!(applied, Value::Object(new));
    }

    #[test]
    fn identical_objects_need_no_patch() {
        let same = object(json!({"a": {"b": [1, 2]}}));
        assert!(merge_patch(&same, &same).is_empty());
    }
}
