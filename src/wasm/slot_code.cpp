// What slot_code.def generates besides the structs: names, sizes and the
// disassembler.
#include "wasm/slot_code.hpp"

#include "wasm/runtime.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>

namespace wasmacro::wasm {
namespace {

// The translator retargets a result to a local by rewriting the first field,
// and the accumulator's slot is read from there: dst must come first.
template <typename L>
constexpr bool result_slot_first() {
    if constexpr (requires { L::dst; })
        return offsetof(L, dst) == 0;
    else
        return true;
}
#define WASMACRO_LAYOUT(name) static_assert(result_slot_first<slot::name>());
#include "wasm/slot_code.def"

constexpr std::string_view iop_names[] = {
#define WASMACRO_IOP(name, layout, acc, op) #name,
#include "wasm/slot_code_ops.inc"
#undef WASMACRO_IOP
};

class Printer {
public:
    Printer(std::string& out, const Instance::Impl& instance, size_t at)
        : out_(out), instance_(instance), at_(at) {}

    template <typename T>
    void field(std::string_view name, slot::FieldKind kind, T value_of_field) {
        uint64_t bits;
        if constexpr (requires { value_of_field.bits; })
            bits = value_of_field.bits;
        else
            bits = static_cast<uint64_t>(static_cast<int64_t>(value_of_field));
        fmt::format_to(std::back_inserter(out_), " {}={}", name, value(kind, bits));
    }
    template <typename L>
    void tail(const uint8_t* ip, const L& fields) {
        if constexpr (requires { fields.tail_count(); }) {
            fmt::format_to(std::back_inserter(out_), " {}=[", L::tail_name);
            for (size_t i = 0; i < fields.tail_count(); ++i) {
                auto element = slot::tail<L>(ip, i);
                out_ += i ? " " : "";
                out_ += value(L::tail_kind, static_cast<uint64_t>(static_cast<int64_t>(element)));
            }
            out_ += "]";
        }
    }

private:
    std::string value(slot::FieldKind kind, uint64_t bits) const {
        using slot::FieldKind;
        switch (kind) {
        case FieldKind::Slot: return fmt::format("s{}", static_cast<uint32_t>(bits));
        case FieldKind::U32:
        case FieldKind::U64: return fmt::format("{}", bits);
        case FieldKind::Rel: return fmt::format("@{}", at_ + static_cast<int64_t>(bits));
        case FieldKind::CodeRef: return bits ? "set" : "unset";
        case FieldKind::FunctionRef: {
            const auto* function = reinterpret_cast<const Function*>(static_cast<uintptr_t>(bits));
            if (function->is_host()) return fmt::format("host:{}", function->host_name);
            return fmt::format("f{}", function->index);
        }
        case FieldKind::TableRef: return named("table", instance_.tables, bits);
        case FieldKind::GlobalRef: return named("global", instance_.globals, bits);
        }
        return "?";
    }
    /// `what` and the index of the object at `bits` in the instance's `objects`.
    template <typename T>
    static std::string named(std::string_view what, const std::vector<T*>& objects, uint64_t bits) {
        auto found = std::find(objects.begin(), objects.end(),
                               reinterpret_cast<T*>(static_cast<uintptr_t>(bits)));
        if (found == objects.end()) return fmt::format("{}(other instance)", what);
        return fmt::format("{}{}", what, found - objects.begin());
    }

    std::string& out_;
    const Instance::Impl& instance_;
    size_t at_;
};

} // namespace

std::string_view iop_name(IOp op) {
    return iop_names[static_cast<size_t>(op)];
}

size_t instruction_size(IOp op, const uint8_t* ip) {
    switch (layout_of(op)) {
// clang-format off
#define WASMACRO_LAYOUT(name) case Layout::name: return slot::size<slot::name>(ip);
#include "wasm/slot_code.def"
        // clang-format on
    }
    return 0;
}

std::string disassemble(const SlotCode& code, const Instance& instance) {
    std::string out;
    size_t at = 0;
    for (IOp op : code.kinds) {
        const uint8_t* ip = code.code.data() + at;
        fmt::format_to(std::back_inserter(out), "{:5}  {}", at, iop_name(op));
        Printer printer(out, instance.impl(), at);
        switch (layout_of(op)) {
#define WASMACRO_LAYOUT(name)                                                                      \
    case Layout::name: {                                                                           \
        [[maybe_unused]] auto fields = slot::decode<slot::name>(ip);
#define WASMACRO_FIELD(kind, name) printer.field(#name, slot::FieldKind::kind, fields.name);
#define WASMACRO_END(name)                                                                         \
    printer.tail(ip, fields);                                                                      \
    break;                                                                                         \
    }
#include "wasm/slot_code.def"
        }
        out += '\n';
        at += instruction_size(op, ip);
    }
    return out;
}

std::string disassemble_exports(Instance& instance, std::string_view name) {
    Instance::Impl& impl = instance.impl();
    std::string out;
    for (const Export& exported : impl.module->exports) {
        if (exported.kind != ExternKind::Func || (!name.empty() && exported.name != name)) continue;
        fmt::format_to(std::back_inserter(out), ";; export \"{}\" (function {})\n", exported.name,
                       exported.index);
        Function& function = *impl.functions[exported.index];
        if (function.is_host()) {
            out += ";; an import, which has no code here\n";
            continue;
        }
        if (!function.slot_code) translate_function(function);
        out += disassemble(*function.slot_code, instance);
    }
    return out;
}

} // namespace wasmacro::wasm
