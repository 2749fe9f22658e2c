#!/usr/bin/env python3
"""Generates the corpus of type definitions in this folder (serde.rs,
thiserror.rs) from a fixed seed, so the files are reproducible: run it with no
arguments and commit the result. handwritten.rs holds the cases a generator
would not find (raw identifiers, escapes in names, identifier enums, ...).

Each entry starts with `// @entry NAME Macro,Macro,...` (see
tests/native-expand/src/main.rs). Every entry must be accepted by its macros:
the corpus test fails on an expansion that is a `compile_error!`, so the
generator follows serde's and thiserror's attribute rules (noted where they
constrain a choice).
"""

import os
import random

SEED = 20261122
HERE = os.path.dirname(os.path.abspath(__file__))

# Tag names used for internally / adjacently tagged enums never appear among
# the field names: serde refuses a field that collides with the tag.
FIELD_NAMES = [
    "id", "name", "value", "count", "items", "created_at", "user_id", "enabled",
    "ratio", "payload", "labels", "parent", "children", "width", "height",
    "max_retries", "timeout_ms", "url", "path", "extra", "inner", "data",
    "score", "flags", "version", "owner", "address", "port", "email", "notes",
    "x", "y", "z", "offset", "len", "first_name", "lastName", "HTTPCode",
]
TAG_NAMES = ["type", "kind", "tag", "t", "variant"]
CONTENT_NAMES = ["content", "c", "data_", "body"]
TYPES = [
    "u8", "u16", "i32", "i64", "u64", "usize", "f32", "f64", "bool", "char",
    "String", "Vec<u8>", "Vec<String>", "Option<u32>", "Option<String>",
    "Box<str>", "[u8; 4]", "(i32, String)", "(u8, u8, u8)",
    "std::collections::HashMap<String, i64>", "BTreeMap<u16, Vec<bool>>",
    "Option<Box<Node>>", "Vec<Option<f64>>", "std::time::Duration", "()",
    "HashSet<String>", "Box<[u32]>", "Result<u8, String>",
]
TYPE_NAMES = [
    "Config", "User", "Point", "Message", "Record", "Event", "Settings", "Packet",
    "Header", "Item", "Order", "Shape", "Token", "Request", "Response", "Entry",
    "Node", "Metrics", "Job", "Profile",
]
VARIANT_NAMES = [
    "Alpha", "Beta", "Gamma", "Start", "Stop", "Pause", "Resume", "Created",
    "Deleted", "Updated", "Circle", "Square", "Empty", "Full", "Ping", "Pong",
    "Text", "Binary", "Close", "Open", "Left", "Right", "Up", "Down",
]
RENAME_RULES = [
    "lowercase", "UPPERCASE", "PascalCase", "camelCase", "snake_case",
    "SCREAMING_SNAKE_CASE", "kebab-case", "SCREAMING-KEBAB-CASE",
]
DOCS = [
    "/// A documented item.", "/// Holds `values` with \"quotes\" and 'ticks'.",
    "//! inner doc is not allowed here", "/** Block doc. */",
]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.counter = 0

    def pick(self, seq):
        return self.r.choice(seq)

    def chance(self, p):
        return self.r.random() < p

    def type_name(self):
        self.counter += 1
        return f"{self.pick(TYPE_NAMES)}{self.counter}"

    def doc(self, indent=""):
        if not self.chance(0.2):
            return ""
        d = self.pick([d for d in DOCS if not d.startswith("//!")])
        return indent + d + "\n"

    def vis(self):
        return self.pick(["", "pub ", "pub ", "pub(crate) ", "pub(super) "])

    # Generics: (params, where-clause, extra field types that use them).
    def generics(self):
        kind = self.pick(["none"] * 5 + ["T", "Tbound", "lifetime", "where", "two", "default"])
        if kind == "none":
            return "", "", []
        if kind == "T":
            return "<T>", "", ["T", "Vec<T>", "Option<T>"]
        if kind == "Tbound":
            return "<T: Clone + Default>", "", ["T", "Vec<T>"]
        if kind == "lifetime":
            return "<'a>", "", ["&'a str", "&'a str"]
        if kind == "where":
            return ("<K, V>", "\nwhere\n    K: Ord + std::hash::Hash,\n    V: Clone,",
                    ["BTreeMap<K, V>", "Vec<(K, V)>"])
        if kind == "two":
            return "<'a, T: ?Sized + 'a>", "", ["&'a T", "PhantomData<&'a T>"]
        return "<T = u32>", "", ["T", "Option<T>"]

    def fields(self, n, extra_types):
        names = self.r.sample(FIELD_NAMES, n)
        types = []
        for _ in range(n):
            if extra_types and self.chance(0.4):
                types.append(self.pick(extra_types))
            else:
                types.append(self.pick(TYPES))
        for t in extra_types[:1]:
            if t not in types:
                types[0] = t
        return list(zip(names, types))

    def serde_field_attr(self, name, ty, allow_flatten, can_skip):
        """Attributes for a named field; `can_skip` is false for the one field
        a transparent struct keeps."""
        choices = ["", "", "", "rename", "skip_if", "with", "alias", "ser_de_with", "rename_split"]
        # A transparent struct's one kept field must have no default either.
        if can_skip:
            choices += ["skip", "skip_ser", "skip_de", "default", "default_path"]
        if allow_flatten and "&" not in ty:
            choices += ["flatten"]
        if "'a str" in ty and "&" not in ty:
            choices += ["borrow"]
        c = self.pick(choices)
        if c == "":
            return [], ty
        if c == "rename":
            return [f'#[serde(rename = "{name.upper()}_{self.r.randint(0, 99)}")]'], ty
        if c == "rename_split":
            return [f'#[serde(rename(serialize = "s_{name}", deserialize = "d_{name}"))]'], ty
        if c == "alias":
            return [f'#[serde(alias = "{name}_old", alias = "{name}2")]'], ty
        if c == "default":
            return ["#[serde(default)]"], ty
        if c == "default_path":
            return [f'#[serde(default = "defaults::{name}")]'], ty
        if c == "skip_if":
            return ['#[serde(skip_serializing_if = "Option::is_none")]'], f"Option<{ty}>" if "&" not in ty else ty
        if c == "with":
            return [f'#[serde(with = "{self.pick(["humantime_serde", "serde_bytes", "my::codec"])}")]'], ty
        if c == "ser_de_with":
            return ['#[serde(serialize_with = "ser::as_str", deserialize_with = "de::from_str")]'], ty
        if c == "skip":
            return ["#[serde(skip)]"], ty
        if c == "skip_ser":
            return ["#[serde(skip_serializing)]"], ty
        if c == "skip_de":
            return ["#[serde(skip_deserializing)]"], ty
        if c == "flatten":
            return ["#[serde(flatten)]"], self.pick(["HashMap<String, String>", "Extra", "Meta<u8>"])
        return ["#[serde(borrow)]"], ty

    def named_body(self, n, extra_types, allow_flatten, indent, transparent=False):
        lines = []
        fields = self.fields(n, extra_types)
        for i, (name, ty) in enumerate(fields):
            can_skip = not transparent or i > 0
            attrs, ty = self.serde_field_attr(name, ty, allow_flatten, can_skip)
            if transparent and i > 0:
                attrs = ["#[serde(skip)]"]
            lines.append(self.doc(indent))
            for a in attrs:
                lines.append(f"{indent}{a}\n")
            lines.append(f"{indent}{self.vis()}{name}: {ty},\n")
        return "".join(lines)

    def tuple_body(self, n, extra_types, allow_skip=True):
        parts = []
        for _ in range(n):
            ty = self.pick(extra_types) if extra_types and self.chance(0.5) else self.pick(TYPES)
            attr = ""
            if self.chance(0.15):
                attr = self.pick(['#[serde(with = "my::codec")] ', '#[serde(serialize_with = "ser::hex")] ']
                                 + (['#[serde(skip)] '] if allow_skip and n > 1 else []))
            parts.append(f"{attr}{self.vis()}{ty}")
        if extra_types and not any(t in p for p in parts for t in extra_types):
            parts[0] = extra_types[0]
        return ", ".join(parts)

    def serde_struct(self):
        name = self.type_name()
        params, where, extra = self.generics()
        kind = self.pick(["named"] * 6 + ["tuple"] * 2 + ["unit", "newtype", "transparent"])
        attrs = []
        body = ""
        if kind == "unit":
            if self.chance(0.5):
                attrs.append(f'#[serde(rename = "{name.lower()}")]')
            text = f"{self.vis()}struct {name};\n"
            return self.wrap(attrs, text)
        if kind in ("tuple", "newtype"):
            n = 1 if kind == "newtype" else self.r.randint(2, 4)
            if kind == "newtype" and self.chance(0.3):
                attrs.append("#[serde(transparent)]")
            if self.chance(0.3):
                attrs.append(self.pick(['#[serde(rename = "Renamed")]', '#[serde(expecting = "a tuple")]',
                                        '#[serde(crate = "::serde")]']))
            text = f"{self.vis()}struct {name}{params}({self.tuple_body(n, extra, kind == 'tuple')}){where};\n"
            return self.wrap(attrs, text)
        transparent = kind == "transparent"
        deny = False
        if transparent:
            attrs.append("#[serde(transparent)]")
        else:
            if self.chance(0.35):
                attrs.append(f'#[serde(rename_all = "{self.pick(RENAME_RULES)}")]')
            elif self.chance(0.15):
                attrs.append(f'#[serde(rename_all(serialize = "{self.pick(RENAME_RULES)}", '
                             f'deserialize = "{self.pick(RENAME_RULES)}"))]')
            if self.chance(0.15):
                deny = True
                attrs.append("#[serde(deny_unknown_fields)]")
            if self.chance(0.15):
                attrs.append(self.pick(["#[serde(default)]", '#[serde(default = "Self::fallback")]']))
            if self.chance(0.1):
                attrs.append(f'#[serde(rename = "{name}V2")]')
            if self.chance(0.1) and params:
                attrs.append('#[serde(bound = "")]')
            if self.chance(0.08):
                attrs.append(self.pick(['#[serde(from = "Raw")]', '#[serde(try_from = "Raw")]',
                                        '#[serde(into = "Raw")]', '#[serde(expecting = "a record")]']))
            if self.chance(0.08):
                attrs.append('#[serde(tag = "type")]')
        n = self.r.randint(1, 6) if not transparent else self.r.randint(1, 3)
        # flatten is refused together with deny_unknown_fields and transparent.
        body = self.named_body(n, extra, not deny and not transparent, "    ", transparent)
        text = f"{self.vis()}struct {name}{params}{where} {{\n{body}}}\n"
        return self.wrap(attrs, text)

    def serde_enum(self):
        name = self.type_name()
        params, where, extra = self.generics()
        mode = self.pick(["external"] * 3 + ["internal", "adjacent", "untagged"])
        attrs = []
        if mode == "internal":
            attrs.append(f'#[serde(tag = "{self.pick(TAG_NAMES)}")]')
        elif mode == "adjacent":
            attrs.append(f'#[serde(tag = "{self.pick(TAG_NAMES)}", content = "{self.pick(CONTENT_NAMES)}")]')
        elif mode == "untagged":
            attrs.append("#[serde(untagged)]")
        if self.chance(0.3):
            attrs.append(f'#[serde(rename_all = "{self.pick(RENAME_RULES)}")]')
        deny = False
        if self.chance(0.1) and mode != "untagged":
            deny = True
            attrs.append("#[serde(deny_unknown_fields)]")
        if self.chance(0.1) and params:
            attrs.append('#[serde(bound(serialize = "T: serde::Serialize", deserialize = "T: serde::Deserialize<\'de>"))]'
                         if "T" in params and "'a" not in params else '#[serde(bound = "")]')
        n = self.r.randint(1, 6)
        names = self.r.sample(VARIANT_NAMES, n)
        kinds = ["unit", "newtype", "struct"] + ([] if mode == "internal" else ["tuple"])
        variants = []
        used_extra = False
        for vn in names:
            k = self.pick(kinds)
            vattrs = []
            if self.chance(0.2):
                vattrs.append(self.pick([f'#[serde(rename = "{vn.lower()}_v")]', f'#[serde(alias = "{vn[:2]}")]',
                                         "#[serde(skip_serializing)]", "#[serde(skip_deserializing)]",
                                         f'#[serde(rename(serialize = "S{vn}"))]']))
            if k == "unit":
                disc = f" = {self.r.randint(0, 9)}" if mode == "external" and not params and self.chance(0.1) else ""
                v = f"{vn}{disc}"
            elif k == "newtype":
                ty = self.pick(extra) if extra and self.chance(0.5) else self.pick(TYPES)
                used_extra |= ty in extra
                # serde refuses `with` next to a skip of the same direction.
                if self.chance(0.1) and not any("skip" in a for a in vattrs):
                    vattrs.append('#[serde(with = "my::codec")]')
                v = f"{vn}({ty})"
            elif k == "tuple":
                tys = [self.pick(extra) if extra and self.chance(0.4) else self.pick(TYPES)
                       for _ in range(self.r.randint(2, 3))]
                used_extra |= any(t in extra for t in tys)
                v = f"{vn}({', '.join(tys)})"
            else:
                if self.chance(0.15):
                    vattrs.append(f'#[serde(rename_all = "{self.pick(RENAME_RULES)}")]')
                # serde_derive 1.0.152 asserts (panics) when an enum with a
                # flattened field also has a tuple variant: flatten only where
                # tuple variants cannot be (internally tagged).
                body = self.named_body(self.r.randint(1, 4), extra, not deny and mode == "internal", "        ")
                used_extra |= any(t in body for t in extra)
                v = f"{vn} {{\n{body}    }}"
            variants.append((k, vattrs, v))
        if extra and not used_extra:
            variants.append(("newtype", [], f"Generic({extra[0]})"))
        # serde: #[serde(other)] must be on the last variant.
        if mode in ("internal", "adjacent") and self.chance(0.3):
            variants.append(("unit", ["#[serde(other)]"], "Unknown"))
        if self.chance(0.1) and mode == "external":
            variants.append(("unit", ["#[serde(skip)]"], "Internal"))
        body = ""
        for _, vattrs, v in variants:
            body += self.doc("    ")
            for a in vattrs:
                body += f"    {a}\n"
            body += f"    {v},\n"
        text = f"{self.vis()}enum {name}{params}{where} {{\n{body}}}\n"
        return self.wrap(attrs, text)

    def wrap(self, serde_attrs, item):
        pre = self.doc()
        if self.chance(0.4):
            pre += self.pick(["#[derive(Debug, Clone)]\n", "#[allow(dead_code)]\n", "#[derive(PartialEq)]\n",
                              "#[cfg_attr(test, derive(Debug))]\n"])
        return pre + "".join(a + "\n" for a in serde_attrs) + item

    # thiserror ---------------------------------------------------------------

    def error_formats_tuple(self, tys):
        if len(tys) == 1:
            return self.pick(['"bad value {0}"', '"value: {0:?}"', '"{0}"', '"got {0:>8}!"', '"{0} ({0:?})"'])
        return self.pick(['"{0} and {1}"', '"{1}: {0:?}"', f'"parts: {{0}}, {{{len(tys) - 1}}}"',
                          '"first {0}", ', '"{0}/{1} {{literal braces}}"'])

    def error_formats_named(self, names):
        a = names[0]
        b = names[-1]
        return self.pick([f'"invalid {a}: {{{a}}}"', f'"{{{a}:?}} vs {{{b}}}"', f'"{a}={{{a}}}, {b}={{{b}:#?}}"',
                          f'"failed with {{{a}}}"', f'"{{{b}}} (code {{{a}:x}})"'.replace(":x", ":?"),
                          f'"{{}}: {{{a}}}", "prefix"', f'"value {{{a}}} over {{limit}}", limit = u32::MAX'])

    def error_enum(self):
        name = self.type_name() + "Error"
        generic = self.pick(["none"] * 4 + ["T", "where", "E"])
        params = where = ""
        gty = None
        if generic == "T":
            params, gty = "<T: std::fmt::Debug>", "T"
        elif generic == "where":
            params, where, gty = "<T>", "\nwhere\n    T: std::fmt::Display + std::fmt::Debug,", "T"
        elif generic == "E":
            params, gty = "<E: std::error::Error + 'static>", "E"
        n = self.r.randint(1, 6)
        vnames = self.r.sample(VARIANT_NAMES, n)
        from_types = ["std::io::Error", "std::fmt::Error", "std::num::ParseIntError",
                      "std::str::Utf8Error", "std::string::FromUtf8Error", "std::num::ParseFloatError",
                      "Box<dyn std::error::Error + Send + Sync>"]
        self.r.shuffle(from_types)
        variants = []
        used_generic = False
        for vn in vnames:
            k = self.pick(["unit", "tuple", "named", "from", "from_named", "source", "transparent", "implicit_source"])
            if k == "unit":
                v = [f'#[error("{vn.lower()} happened")]', f"{vn}"]
            elif k == "tuple":
                tys = [self.pick(["String", "u32", "i64", "char", "usize"]) for _ in range(self.r.randint(1, 3))]
                if gty and self.chance(0.5):
                    tys[0] = gty
                    used_generic = True
                fmt = self.error_formats_tuple(tys)
                if fmt.endswith(", "):
                    fmt += ".0.len()" if tys[0] == "String" else ".1"
                    if tys[0] != "String" and len(tys) < 2:
                        fmt = '"{0}"'
                v = [f"#[error({fmt})]", f"{vn}({', '.join(tys)})"]
            elif k == "named":
                fields = self.r.sample(["path", "line", "col", "expected", "found", "code", "reason"],
                                       self.r.randint(1, 3))
                tys = [self.pick(["String", "u32", "usize", "i32"]) for _ in fields]
                if gty and self.chance(0.5):
                    tys[0] = gty
                    used_generic = True
                fmt = self.error_formats_named(fields)
                body = ", ".join(f"{f}: {t}" for f, t in zip(fields, tys))
                v = [f"#[error({fmt})]", f"{vn} {{ {body} }}"]
            elif k in ("from", "from_named", "transparent") and from_types:
                ft = from_types.pop()
                if k == "from":
                    v = [f'#[error("{vn.lower()} failed")]', f"{vn}(#[from] {ft})"]
                elif k == "from_named":
                    v = [f'#[error("{vn.lower()}: {{source}}")]', f"{vn} {{ #[from] source: {ft} }}"]
                else:
                    frm = "#[from] " if self.chance(0.5) else ""
                    v = ["#[error(transparent)]", f"{vn}({frm}{ft})"]
            elif k == "source":
                st = gty if generic == "E" else "std::io::Error"
                used_generic |= st == gty
                v = [f'#[error("{vn.lower()} at {{path}}")]', f"{vn} {{ path: String, #[source] cause: {st} }}"]
            elif k == "implicit_source":
                v = [f'#[error("{vn.lower()} (caused by {{source:?}})")]',
                     f"{vn} {{ source: std::fmt::Error, attempt: u8 }}"]
            else:
                v = ['#[error("other")]', f"{vn}"]
            variants.append(v)
        if gty and not used_generic:
            if generic == "E":
                variants.append(['#[error("wrapped")]', "Wrapped(#[source] E)"])
            else:
                variants.append(['#[error("generic {0:?}")]', "Generic(T)"])
        body = "".join(f"    {a}\n    {v},\n" for a, v in variants)
        text = f"{self.vis()}enum {name}{params}{where} {{\n{body}}}\n"
        pre = self.doc() + ("#[derive(Debug)]\n" if self.chance(0.7) else "")
        if self.chance(0.15):
            pre += "#[non_exhaustive]\n"
        return pre + text

    def error_struct(self):
        name = self.type_name() + "Error"
        k = self.pick(["unit", "named", "named", "tuple", "transparent", "from", "source", "nodisplay", "generic"])
        pre = "#[derive(Debug)]\n"
        if k == "unit":
            return pre + f'#[error("{name} occurred")]\n{self.vis()}struct {name};\n'
        if k == "named":
            fields = self.r.sample(["path", "line", "col", "expected", "found", "code", "reason"], self.r.randint(1, 4))
            body = "".join(f"    {self.vis()}{f}: {self.pick(['String', 'u32', 'usize'])},\n" for f in fields)
            return pre + f"#[error({self.error_formats_named(fields)})]\n{self.vis()}struct {name} {{\n{body}}}\n"
        if k == "tuple":
            tys = [self.pick(["String", "u32", "i64"]) for _ in range(self.r.randint(1, 3))]
            fmt = self.error_formats_tuple(tys)
            if fmt.endswith(", "):
                fmt = '"{0}"'
            return pre + f"#[error({fmt})]\n{self.vis()}struct {name}({', '.join(tys)});\n"
        if k == "transparent":
            inner = self.pick(["std::io::Error", "Box<dyn std::error::Error + Send + Sync + 'static>",
                               "std::num::ParseIntError"])
            if self.chance(0.5):
                return pre + f"#[error(transparent)]\n{self.vis()}struct {name}(#[from] {inner});\n"
            return pre + f"#[error(transparent)]\n{self.vis()}struct {name} {{\n    source: {inner},\n}}\n"
        if k == "from":
            return pre + (f'#[error("could not read config: {{0}}")]\n'
                          f"{self.vis()}struct {name}(#[from] std::io::Error);\n")
        if k == "source":
            return pre + (f'#[error("step {{step}} failed")]\n{self.vis()}struct {name} {{\n'
                          f"    step: u32,\n    #[source]\n    inner: std::io::Error,\n}}\n")
        if k == "nodisplay":
            # No #[error]: thiserror then derives only Error (Display is the user's).
            return pre + f"{self.vis()}struct {name} {{\n    msg: String,\n}}\n"
        return pre + (f'#[error("bad item {{item:?}}")]\n{self.vis()}struct {name}<T: std::fmt::Debug>\n'
                      f"where\n    T: Clone,\n{{\n    item: T,\n}}\n")


def write(path, header, entries):
    with open(path, "w") as f:
        f.write(header)
        for name, macros, text in entries:
            f.write(f"\n// @entry {name} {macros}\n{text}")


def main():
    g = Gen(SEED)
    serde = []
    for i in range(270):
        text = g.serde_struct() if g.chance(0.55) else g.serde_enum()
        macros = g.pick(["Serialize,Deserialize"] * 8 + ["Serialize", "Deserialize"])
        serde.append((f"serde_{i:03}", macros, text))
    errors = []
    for i in range(90):
        text = g.error_enum() if g.chance(0.65) else g.error_struct()
        errors.append((f"error_{i:03}", "Error", text))
    header = ("// Generated by gen_corpus.py (seed {}): do not edit; change the generator\n"
              "// and run it again. Entries are type definitions, each expanded by the\n"
              "// macros on its `@entry` line; see tests/corpus/README.md.\n").format(SEED)
    write(os.path.join(HERE, "serde.rs"), header, serde)
    write(os.path.join(HERE, "thiserror.rs"), header, errors)


if __name__ == "__main__":
    main()
