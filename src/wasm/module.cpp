#include "wasm/module.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace wasmacro::wasm {

std::string_view name(ValType type) {
    switch (type) {
    case ValType::I32: return "i32";
    case ValType::I64: return "i64";
    case ValType::F32: return "f32";
    case ValType::F64: return "f64";
    case ValType::V128: return "v128";
    case ValType::FuncRef: return "funcref";
    case ValType::ExternRef: return "externref";
    }
    return "?";
}

std::string to_string(const FuncType& type) {
    auto list = [](const std::vector<ValType>& types) {
        std::string text = "(";
        for (size_t i = 0; i < types.size(); ++i) {
            if (i) text += ", ";
            text += name(types[i]);
        }
        return text + ")";
    };
    return list(type.params) + " -> " + list(type.results);
}

std::string_view name(ExternKind kind) {
    switch (kind) {
    case ExternKind::Func: return "function";
    case ExternKind::Table: return "table";
    case ExternKind::Memory: return "memory";
    case ExternKind::Global: return "global";
    case ExternKind::Tag: return "tag";
    }
    return "?";
}

std::vector<std::string_view> feature_names(uint32_t features) {
    static constexpr std::pair<Feature, std::string_view> all[] = {
        {FeatureMutableGlobals, "mutable-globals"},
        {FeatureSignExtension, "sign-extension"},
        {FeatureSaturatingTrunc, "saturating-float-to-int"},
        {FeatureMultiValue, "multi-value"},
        {FeatureBulkMemory, "bulk-memory"},
        {FeatureReferenceTypes, "reference-types"},
        {FeatureTailCall, "tail-call"},
        {FeatureExceptions, "exception-handling"},
    };
    std::vector<std::string_view> names;
    for (const auto& [bit, text] : all)
        if (features & bit) names.push_back(text);
    return names;
}

std::string_view Module::function_name(uint32_t func_index) const {
    // The decoder keeps function_names sorted by index.
    auto it =
        std::lower_bound(function_names.begin(), function_names.end(), func_index,
                         [](const auto& entry, uint32_t index) { return entry.first < index; });
    if (it == function_names.end() || it->first != func_index) return {};
    return it->second;
}

std::optional<std::span<const uint8_t>> Module::custom_section(std::string_view section) const {
    for (const CustomSection& custom : custom_sections)
        if (custom.name == section)
            return std::span<const uint8_t>(bytes.data() + custom.offset, custom.size);
    return std::nullopt;
}

DecodeError::DecodeError(std::string_view section, size_t offset, std::string_view message)
    : Error(section.empty() ? fmt::format("malformed module: {} (at offset {:#x})", message, offset)
                            : fmt::format("malformed module: {} (in {} section at offset {:#x})",
                                          message, section, offset)),
      offset_(offset) {}

} // namespace wasmacro::wasm
