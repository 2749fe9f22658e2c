// A decoded and validated WebAssembly module: the static description that
// instances are made from. Produced by decode_module() (decoder.cpp), checked
// by validate_module() (validator.cpp); immutable afterwards.
#pragma once

#include "common/error.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wasmacro::wasm {

enum class ValType : uint8_t {
    I32 = 0x7F,
    I64 = 0x7E,
    F32 = 0x7D,
    F64 = 0x7C,
    V128 = 0x7B,
    FuncRef = 0x70,
    ExternRef = 0x6F,
};

std::string_view name(ValType type);
constexpr bool is_reference(ValType type) {
    return type == ValType::FuncRef || type == ValType::ExternRef;
}

struct FuncType {
    std::vector<ValType> params;
    std::vector<ValType> results;
    friend bool operator==(const FuncType&, const FuncType&) = default;
};
std::string to_string(const FuncType& type); ///< e.g. "(i32, i64) -> (f32)"

struct SizeLimits {
    uint64_t min = 0;
    std::optional<uint64_t> max;
};

struct TableType {
    ValType element = ValType::FuncRef;
    SizeLimits limits;
};

struct MemoryType {
    SizeLimits limits; ///< in 64 KiB pages
};

struct GlobalType {
    ValType type = ValType::I32;
    bool is_mutable = false;
};

/// Tag: an exception tag (the exception-handling proposal, in its first,
/// "legacy" form: try, catch, throw, rethrow and delegate).
enum class ExternKind : uint8_t { Func = 0, Table = 1, Memory = 2, Global = 3, Tag = 4 };
std::string_view name(ExternKind kind);

struct Import {
    std::string module;
    std::string name;
    ExternKind kind = ExternKind::Func;
    uint32_t func_type = 0; ///< type index, for functions and tags
    TableType table;
    MemoryType memory;
    GlobalType global;
};

struct Export {
    std::string name;
    ExternKind kind = ExternKind::Func;
    uint32_t index = 0;
};

/// A constant expression, as used for global initialisers and segment offsets
/// and items: exactly one of these instructions followed by `end`.
struct ConstExpr {
    enum class Kind : uint8_t {
        I32Const,
        I64Const,
        F32Const,
        F64Const,
        GlobalGet,
        RefNull,
        RefFunc
    };
    Kind kind = Kind::I32Const;
    uint64_t value = 0;                  ///< the constant's bits, or the global / function index
    ValType ref_type = ValType::FuncRef; ///< for RefNull
    /// A well-formed expression that is not one constant instruction: the
    /// decoder keeps it so that validate_module can report it as invalid.
    enum class Problem : uint8_t { None, NotConstant, NotOne } problem = Problem::None;
    uint32_t offset = 0; ///< of the expression in Module::bytes, for error messages
};

struct GlobalDef {
    GlobalType type;
    ConstExpr init;
};

enum class SegmentMode : uint8_t { Active, Passive, Declarative };

struct ElementSegment {
    SegmentMode mode = SegmentMode::Active;
    ValType type = ValType::FuncRef;
    uint32_t table = 0;
    ConstExpr offset; ///< for active segments
    std::vector<ConstExpr> items;
};

struct DataSegment {
    SegmentMode mode = SegmentMode::Active; ///< Active or Passive
    uint32_t memory = 0;
    ConstExpr offset;     ///< for active segments
    uint32_t data_offset; ///< where the bytes are in Module::bytes
    uint32_t size;
};

/// A defined function's body.
struct Code {
    std::vector<ValType> locals; ///< declared locals, not counting the parameters
    uint32_t body_offset = 0;    ///< first instruction, as an offset in Module::bytes
    uint32_t body_end = 0;       ///< one past the final `end`
};

struct CustomSection {
    std::string name;
    uint32_t offset = 0; ///< of the payload after the name, in Module::bytes
    uint32_t size = 0;
};

/// The post-MVP features the module's code or declarations use (for `inspect`).
enum Feature : uint32_t {
    FeatureMutableGlobals = 1 << 0,  ///< import or export of a mutable global
    FeatureSignExtension = 1 << 1,   ///< i32.extend8_s and friends
    FeatureSaturatingTrunc = 1 << 2, ///< the *.trunc_sat_* instructions
    FeatureMultiValue = 1 << 3,      ///< several results, or block types with params
    FeatureBulkMemory = 1 << 4,      ///< memory.copy/fill/init, passive segments, ...
    FeatureReferenceTypes = 1 << 5,  ///< externref, table.*, several tables, typed select
    FeatureTailCall = 1 << 6,        ///< return_call, return_call_indirect
    FeatureExceptions = 1 << 7,      ///< tags, try/catch/throw/rethrow/delegate
};
std::vector<std::string_view> feature_names(uint32_t features);

struct Module {
    std::vector<uint8_t> bytes; ///< the binary, kept so code bodies and data can point into it

    std::vector<FuncType> types;
    std::vector<Import> imports;
    std::vector<uint32_t> functions; ///< type index of each defined function
    std::vector<TableType> tables;   ///< defined tables
    std::vector<MemoryType> memories;
    std::vector<uint32_t> tags;     ///< type index of each defined tag
    std::vector<GlobalDef> globals; ///< defined globals
    std::vector<Export> exports;
    std::optional<uint32_t> start;
    std::vector<ElementSegment> elements;
    std::vector<DataSegment> data;
    std::optional<uint32_t> data_count;
    std::vector<Code> codes;
    std::vector<CustomSection> custom_sections;
    /// From the `name` section's function names subsection, by function index.
    std::vector<std::pair<uint32_t, std::string>> function_names;

    // Index spaces: imports come first, then the module's own definitions.
    uint32_t imported_functions = 0;
    uint32_t imported_tables = 0;
    uint32_t imported_memories = 0;
    uint32_t imported_globals = 0;
    uint32_t imported_tags = 0;
    std::vector<uint32_t> function_types; ///< type index of every function, imports first
    std::vector<TableType> all_tables;    ///< every table's type, imports first
    std::vector<MemoryType> all_memories;
    std::vector<GlobalType> all_globals;
    std::vector<uint32_t> all_tags; ///< every tag's type index, imports first

    uint32_t features = 0; ///< Feature bits, filled in by the validator

    const FuncType& type_of_function(uint32_t func_index) const {
        return types[function_types[func_index]];
    }
    /// The name section's name for a function, or empty.
    std::string_view function_name(uint32_t func_index) const;
    /// The payload of the first custom section with this name.
    std::optional<std::span<const uint8_t>> custom_section(std::string_view name) const;
};

/// A malformed binary (the spec's "malformed"): names the section and offset.
class DecodeError : public Error {
public:
    DecodeError(std::string_view section, size_t offset, std::string_view message);
    size_t offset() const { return offset_; }

private:
    size_t offset_;
};

/// A well-formed module that breaks a validation rule (the spec's "invalid").
class ValidationError : public Error {
public:
    using Error::Error;
};

/// Decodes a binary module (copying the bytes). Throws DecodeError.
Module decode_module(std::span<const uint8_t> bytes);
/// Checks every validation rule; fills in Module::features. Throws ValidationError.
void validate_module(Module& module);

} // namespace wasmacro::wasm
