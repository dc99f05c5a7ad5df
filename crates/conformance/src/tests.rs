use super::*;
use serde_json::json;

fn fapi() -> &'static Spec {
    Spec::fapi()
}

fn clerk_errors() -> Value {
    json!({
        "errors": [{
            "message": "Password is incorrect. Try again, or use another method.",
            "long_message": "Password is incorrect. Try again, or use another method.",
            "code": "form_password_incorrect",
            "meta": { "param_name": "password" }
        }],
        "clerk_trace_id": "0123456789abcdef"
    })
}

/// A signed-out client, as `Client.Client-2` describes it.
fn signed_out_client() -> Value {
    json!({
        "object": "client",
        "id": "client_2abc",
        "sessions": [],
        "sign_in": null,
        "sign_up": null,
        "last_active_session_id": null,
        "last_authentication_strategy": null,
        "cookie_expires_at": null,
        "captcha_bypass": false,
        "created_at": 1_700_000_000_000_i64,
        "updated_at": 1_700_000_000_000_i64
    })
}

fn schema_errors(v: &Violations) -> Vec<&Violation> {
    assert!(!v.is_lookup_error(), "expected schema violations, got a lookup error: {v}");
    v.iter().collect()
}

#[test]
fn valid_clerk_errors_body_passes() {
    fapi().assert_response("POST", "/v1/client/sign_ins", 422, &clerk_errors());
    fapi().assert_response("GET", "/v1/me", 401, &clerk_errors());
}

#[test]
fn clerk_errors_without_errors_fails_readably() {
    let mut body = clerk_errors();
    body.as_object_mut().unwrap().remove("errors");
    let v = fapi()
        .check_response("POST", "/v1/client/sign_ins?_is_native=1", 422, &body)
        .expect_err("a ClerkErrors body without `errors` must fail");
    let errors = schema_errors(&v);
    assert_eq!(errors.len(), 1, "{v}");
    assert_eq!(errors[0].keyword, "required");
    assert_eq!(errors[0].instance_path, "$");
    assert_eq!(errors[0].schema_location, "#/components/schemas/ClerkErrors/required");
    let text = v.to_string();
    assert!(text.contains("\"errors\" is a required property"), "{text}");
    assert!(text.contains("POST /v1/client/sign_ins?_is_native=1 → 422"), "{text}");
    assert!(text.contains("#/components/responses/ClerkErrors"), "{text}");
}

#[test]
fn wrong_type_deep_inside_is_located() {
    let mut body = clerk_errors();
    body["errors"][0]["code"] = json!(42);
    let v = fapi().check_response("GET", "/v1/me", 404, &body).unwrap_err();
    let errors = schema_errors(&v);
    assert_eq!(errors.len(), 1, "{v}");
    assert_eq!(errors[0].instance_path, "$.errors[0].code");
    assert_eq!(errors[0].instance_pointer, "/errors/0/code");
    assert_eq!(errors[0].schema_location, "#/components/schemas/ClerkError/properties/code/type");
    assert!(v.to_string().contains("42 is not of type \"string\""), "{v}");
}

#[test]
fn null_where_nullable_passes_and_where_not_fails() {
    let user = json!({
        "first_name": null, "last_name": null, "image_url": null,
        "has_image": false, "identifier": "demo@example.com", "user_id": null, "username": null
    });
    fapi().check_schema("Client.PublicUserData", &user).unwrap();

    let mut bad = user.clone();
    bad["identifier"] = Value::Null;
    let v = fapi().check_schema("Client.PublicUserData", &bad).unwrap_err();
    assert_eq!(schema_errors(&v)[0].instance_path, "$.identifier", "{v}");
}

#[test]
fn nullable_beside_all_of_ref_allows_null() {
    // `response: {type: object, nullable: true, allOf: [{$ref: Client.Client-2}]}`
    let body = json!({ "response": null, "client": null });
    fapi().assert_response("GET", "/v1/client", 200, &body);
    let body = json!({ "response": signed_out_client(), "client": signed_out_client() });
    fapi().assert_response("GET", "/v1/client", 200, &body);
    fapi().assert_response(
        "DELETE",
        "/v1/client",
        200,
        &json!({ "response": signed_out_client(), "client": null }),
    );

    // ...but the referenced schema still applies to a non-null value.
    let mut client = signed_out_client();
    client.as_object_mut().unwrap().remove("captcha_bypass");
    let v = fapi()
        .check_response("GET", "/v1/client", 200, &json!({ "response": client, "client": null }))
        .unwrap_err();
    let errors = schema_errors(&v);
    assert_eq!(errors.len(), 1, "{v}");
    assert_eq!(errors[0].instance_path, "$.response");
    assert!(errors[0].message.contains("captcha_bypass"), "{v}");
    assert!(errors[0].schema_location.starts_with("#/components/schemas/Client.Client-2"), "{v}");
}

#[test]
fn extra_property_in_closed_schema_fails() {
    let body = json!({ "response": null, "client": null, "extra": 1 });
    let v = fapi().check_response("GET", "/v1/client", 200, &body).unwrap_err();
    let errors = schema_errors(&v);
    assert_eq!(errors.len(), 1, "{v}");
    assert_eq!(errors[0].keyword, "additionalProperties");
    assert!(v.to_string().contains("'extra' was unexpected"), "{v}");

    let mut user = json!({"first_name": null, "last_name": null, "has_image": false, "identifier": "x"});
    user["password"] = json!("secret");
    let v = fapi().check_schema("Client.PublicUserData", &user).unwrap_err();
    assert_eq!(schema_errors(&v)[0].keyword, "additionalProperties", "{v}");
}

#[test]
fn enum_is_enforced() {
    let mut client = signed_out_client();
    client["object"] = json!("session");
    let v = fapi()
        .check_response("GET", "/v1/client", 200, &json!({ "response": client, "client": null }))
        .unwrap_err();
    let errors = schema_errors(&v);
    assert_eq!(errors[0].keyword, "enum", "{v}");
    assert_eq!(errors[0].instance_path, "$.response.object");
}

#[test]
fn concrete_paths_match_their_templates() {
    let s = fapi();
    assert_eq!(
        s.operation_template("POST", "/v1/client/sessions/sess_2abc/end"),
        Some("/v1/client/sessions/{session_id}/end")
    );
    assert_eq!(
        s.operation_template("post", "/v1/client/sessions/sess_2abc/remove?_is_native=1"),
        Some("/v1/client/sessions/{session_id}/remove")
    );
    assert_eq!(
        s.operation_template("DELETE", "/v1/me/email_addresses/idn_123"),
        Some("/v1/me/email_addresses/{email_id}")
    );
    assert_eq!(s.operation_template("PATCH", "/v1/me/metadata"), Some("/v1/me/metadata"));
    // A template is accepted as such.
    assert_eq!(
        s.operation_template("POST", "/v1/client/sessions/{session_id}/end"),
        Some("/v1/client/sessions/{session_id}/end")
    );
    fapi().assert_response("POST", "/v1/client/sessions/sess_1/end", 404, &clerk_errors());
}

#[test]
fn literal_segments_win_over_params() {
    let spec = mini_spec();
    assert_eq!(spec.operation_template("GET", "/v1/things/special"), Some("/v1/things/special"));
    assert_eq!(spec.operation_template("GET", "/v1/things/thing_1"), Some("/v1/things/{id}"));
    // The literal template has no DELETE: the templated one serves it.
    assert_eq!(spec.operation_template("DELETE", "/v1/things/special"), Some("/v1/things/{id}"));
}

#[test]
fn unknown_path_method_or_status_is_an_error() {
    let s = fapi();
    let v = s.check_response("GET", "/v1/nope", 200, &json!({})).unwrap_err();
    assert!(v.is_lookup_error());
    assert!(v.to_string().contains("no path template"), "{v}");

    let v = s.check_response("PUT", "/v1/me", 200, &json!({})).unwrap_err();
    assert!(v.is_lookup_error());
    assert!(v.to_string().contains("no PUT operation"), "{v}");

    let v = s.check_response("GET", "/v1/me", 418, &clerk_errors()).unwrap_err();
    assert!(v.is_lookup_error());
    assert!(v.to_string().contains("status 418 is not a documented response"), "{v}");

    let v = s.check_schema("No.Such.Schema", &json!({})).unwrap_err();
    assert!(v.is_lookup_error());
    assert!(s.operation_template("GET", "/v1/client/sessions//end").is_none());
}

#[test]
fn response_without_body_accepts_only_null() {
    // 307 on PUT /v1/client has no content.
    fapi().assert_response("PUT", "/v1/client", 307, &Value::Null);
    let v = fapi().check_response("PUT", "/v1/client", 307, &json!({})).unwrap_err();
    assert!(v.is_lookup_error(), "{v}");
}

#[test]
fn status_ranges_and_default() {
    let spec = mini_spec();
    spec.check_response("GET", "/v1/things/x", 503, &json!({"code": "down"})).unwrap();
    spec.check_response("GET", "/v1/things/x", 418, &json!({"other": true})).unwrap();
    let v = spec.check_response("GET", "/v1/things/x", 503, &json!({"code": 1})).unwrap_err();
    assert_eq!(v.items[0].instance_path, "$.code", "{v}");
}

#[test]
fn one_of_with_overlapping_branches_is_any_of() {
    let spec = mini_spec();
    // Matches both branches: "exactly one" would reject it.
    spec.check_response("GET", "/v1/things/special", 200, &json!({"kind": "a", "n": 1})).unwrap();
    let v = spec.check_response("GET", "/v1/things/special", 200, &json!({"kind": "c"})).unwrap_err();
    let text = v.to_string();
    assert!(text.contains("matches none of the 2 allowed shapes"), "{text}");
    assert_eq!(v.items[0].alternatives.len(), 2, "{text}");
    // The inline schema's location is reported under the response in the spec.
    assert!(
        v.items[0]
            .schema_location
            .starts_with("#/paths/~1v1~1things~1special/get/responses/200/content/application~1json/schema"),
        "{text}"
    );
}

#[test]
fn nullable_enum_and_all_of_null_branch() {
    let spec = mini_spec();
    let ok = json!({"state": null, "err": null, "code": "x"});
    spec.check_response("DELETE", "/v1/things/a", 200, &ok).unwrap();
    let ok = json!({"state": "on", "err": {"code": "x"}, "code": "x"});
    spec.check_response("DELETE", "/v1/things/a", 200, &ok).unwrap();
    let bad = json!({"state": "off", "err": {"code": 3}, "code": null});
    let v = spec.check_response("DELETE", "/v1/things/a", 200, &bad).unwrap_err();
    let paths: Vec<&str> = v.iter().map(|x| x.instance_path.as_str()).collect();
    assert_eq!(paths, ["$.code", "$.err.code", "$.state"], "{v}");
}

#[test]
fn closed_branch_in_all_of_accepts_the_union_and_rejects_extras() {
    let spec = mini_spec();
    spec.check_response("POST", "/v1/things", 200, &json!({"code": "x", "extra": "y"})).unwrap();
    let v = spec
        .check_response("POST", "/v1/things", 200, &json!({"code": "x", "extra": "y", "z": 1}))
        .unwrap_err();
    assert_eq!(v.items[0].keyword, "unevaluatedProperties", "{v}");
}

#[test]
fn every_fapi_response_schema_builds() {
    // Catches schemas the converter gets wrong (a validator that cannot be built).
    let s = fapi();
    let mut checked = 0;
    for (path, item) in s.document()["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(responses) = op.get("responses").and_then(Value::as_object) else {
                continue;
            };
            for status in responses.keys() {
                let Ok(code) = status.parse::<u16>() else { continue };
                if let Err(v) = s.check_response(method, path, code, &json!(null)) {
                    let text = v.to_string();
                    assert!(
                        !text.contains("cannot build a validator") && !text.contains("unresolvable"),
                        "{text}"
                    );
                    if !v.is_lookup_error() {
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 400, "only {checked} response schemas were built");
}

#[test]
fn bapi_loads_and_checks() {
    let s = Spec::bapi();
    assert_eq!(s.operation_template("GET", "/users/user_123"), Some("/users/{user_id}"));
    s.assert_response("GET", "/users/user_123", 404, &clerk_errors());
    assert!(s.check_response("GET", "/users/user_123", 404, &json!({})).is_err());
}

fn mini_spec() -> Spec {
    Spec::from_yaml_str(
        "mini.yml",
        r##"
openapi: 3.0.3
info: { title: mini, version: "1" }
paths:
  /v1/things:
    post:
      responses:
        '200':
          content:
            application/json:
              schema:
                allOf:
                  - $ref: '#/components/schemas/Closed'
                  - type: object
                    properties:
                      extra: { type: string }
  /v1/things/special:
    get:
      responses:
        '200':
          content:
            application/json:
              schema:
                oneOf:
                  - type: object
                    required: [kind]
                    properties:
                      kind: { type: string, enum: [a, b] }
                  - type: object
                    required: [kind]
                    properties:
                      kind: { type: string, enum: [a] }
                      n: { type: integer }
  /v1/things/{id}:
    get:
      responses:
        '200':
          $ref: '#/components/responses/Closed'
        5XX:
          $ref: '#/components/responses/Closed'
        default:
          description: anything
          content:
            application/json:
              schema: { type: object }
    delete:
      responses:
        '200':
          content:
            application/json:
              schema:
                type: object
                required: [state, err, code]
                properties:
                  state: { type: string, nullable: true, enum: [on] }
                  err:
                    allOf:
                      - $ref: '#/components/schemas/Closed'
                      - type: object
                        nullable: true
                  code: { $ref: '#/components/schemas/Code' }
components:
  responses:
    Closed:
      description: closed
      content:
        application/json:
          schema: { $ref: '#/components/schemas/Closed' }
  schemas:
    Code: { type: string }
    Closed:
      type: object
      additionalProperties: false
      required: [code]
      properties:
        code: { $ref: '#/components/schemas/Code' }
"##,
    )
    .expect("the mini spec parses")
}
