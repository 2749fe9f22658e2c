// The compiling tier's rare paths (tiers/rare_paths.wat), each run in both
// tiers: the results, the traps with their messages, and the fuel used must
// be the same, and are checked against what the wasm means. And when an
// adaptive store starts compiling (tiers/adaptive.wat).
#include "wasm/engine.hpp"
#include "wasm/module.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <variant>

using namespace wasmacro::wasm;
using testing::HasSubstr;

namespace {

std::shared_ptr<const Module> module_at(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in),
                               std::istreambuf_iterator<char>()};
    return load_module(bytes);
}

/// rare_paths.wat in a store of the given tier, with its two imports: a
/// host function that adds and charges 10 units of fuel, and the export of
/// a second instance.
struct Tiered {
    explicit Tiered(Tier tier) : store(SandboxLimits{}, tier) {
        Instance& other = store.instantiate(module_at(WASMACRO_TIERS_WASM_DIR "/other.wasm"),
                                            [](const Import&) { return std::nullopt; });
        Function* add = store.create_host_function(
            FuncType{{ValType::I32, ValType::I32}, {ValType::I32}},
            [](HostCall& call) {
                call.charge_fuel(10);
                call.results[0] = static_cast<uint32_t>(call.args[0] + call.args[1]);
            },
            "add_fuel");
        Function* twice = other.exported_function("twice");
        instance = &store.instantiate(module_at(WASMACRO_TIERS_WASM_DIR "/rare_paths.wasm"),
                                      [&](const Import& import) -> std::optional<Extern> {
                                          if (import.name == "add_fuel") return add;
                                          return twice;
                                      });
    }
    Store store;
    Instance* instance = nullptr;
};

/// What one call came to: its results or its trap, and the fuel it used.
struct Outcome {
    std::vector<Value> results;
    std::optional<TrapKind> trap;
    std::string message;
    std::optional<uint64_t> fuel_used;
};

Outcome call(Tiered& tiered, std::string_view name, std::vector<Value> args) {
    Outcome outcome;
    try {
        outcome.results = tiered.store.call(*tiered.instance->exported_function(name), args);
    } catch (const Trap& trap) {
        outcome.trap = trap.kind();
        outcome.message = trap.what();
    }
    outcome.fuel_used = tiered.store.last_call_fuel_used();
    return outcome;
}

class CompilingTier : public testing::Test {
protected:
    void SetUp() override {
        if (compiled.store.tier() != Tier::Compiler)
            GTEST_SKIP() << "this host has no compiling tier";
    }
    /// Runs `name` in both tiers, expecting the same outcome; returns it.
    Outcome both(std::string_view name, std::vector<Value> args = {}) {
        Outcome in_compiled = call(compiled, name, args);
        Outcome in_interpreter = call(interpreted, name, args);
        EXPECT_EQ(in_compiled.results, in_interpreter.results) << name;
        EXPECT_EQ(in_compiled.trap, in_interpreter.trap) << name;
        EXPECT_EQ(in_compiled.message, in_interpreter.message) << name;
        EXPECT_EQ(in_compiled.fuel_used, in_interpreter.fuel_used) << name;
        return in_compiled;
    }
    Tiered compiled{Tier::Compiler};
    Tiered interpreted{Tier::Interpreter};
};

Value i32(uint32_t v) {
    return Value::i32(v);
}
Value i64(uint64_t v) {
    return Value::i64(v);
}

TEST_F(CompilingTier, MemoryGrowInAHelperUpdatesTheBoundsOfLaterAccesses) {
    EXPECT_EQ(both("grow_then_store").results, std::vector{i32(77)});
}

TEST_F(CompilingTier, BulkMemoryRunsThroughTheInterpretersHandler) {
    EXPECT_EQ(both("copy_within").results, std::vector{i32(0x01020304)});
    EXPECT_FALSE(both("fill_out_of_bounds", {i32(0)}).trap);
    Outcome outside = both("fill_out_of_bounds", {i32(65500)});
    EXPECT_EQ(outside.trap, TrapKind::MemoryOutOfBounds);
    EXPECT_THAT(outside.message, HasSubstr("fill_out_of_bounds"));
}

TEST_F(CompilingTier, TableInstructionsAndIndirectCalls) {
    EXPECT_EQ(both("call_null_element").trap, TrapKind::UninitializedElement);
    Outcome missing = both("call_missing_element");
    EXPECT_EQ(missing.trap, TrapKind::UndefinedElement);
    EXPECT_THAT(missing.message, HasSubstr("9"));
    // table.size is 5 after growing by 3; element 1 is now $inc, so 40 + 1.
    EXPECT_EQ(both("tables").results, std::vector{i32(5 + 41)});
}

TEST_F(CompilingTier, CallsThatLeaveTheInstance) {
    Outcome host = both("call_host", {i32(3)});
    EXPECT_EQ(host.results, std::vector{i32(8)});
    EXPECT_EQ(both("call_other", {i32(20)}).results, std::vector{i32(41)});
    EXPECT_EQ(both("tail_host", {i32(3)}).results, std::vector{i32(9)});
    EXPECT_EQ(both("tail_other", {i32(21)}).results, std::vector{i32(42)});
    // The host function's 10 units are in the call's fuel, in both tiers.
    ASSERT_TRUE(host.fuel_used);
    EXPECT_GT(*host.fuel_used, 10u);
}

TEST_F(CompilingTier, BranchTableBackToALoopChargesFuelLikeTheInterpreter) {
    Outcome few = both("table_loop", {i32(3)});
    Outcome many = both("table_loop", {i32(300)});
    EXPECT_EQ(few.results, std::vector{i32(3)});
    EXPECT_EQ(many.results, std::vector{i32(300)});
    ASSERT_TRUE(few.fuel_used && many.fuel_used);
    EXPECT_GE(*many.fuel_used - *few.fuel_used, 297u); // at least a unit an iteration
}

TEST_F(CompilingTier, ImmediatesBeyondThirtyTwoBits) {
    EXPECT_EQ(both("wide_immediates", {i64(5)}).results, std::vector{i64(0x100000005)});
    EXPECT_EQ(both("wide_immediates", {i64(0x100000000)}).results,
              std::vector{i64(0x100000000 * 0x7fffffffffULL)});
}

TEST_F(CompilingTier, AddressesBeyondADisplacementTrapAsOutOfBounds) {
    EXPECT_EQ(both("far_constant_address").trap, TrapKind::MemoryOutOfBounds);
    EXPECT_EQ(both("far_offset", {i32(0)}).trap, TrapKind::MemoryOutOfBounds);
    EXPECT_EQ(both("far_offset", {i32(0x20)}).trap, TrapKind::MemoryOutOfBounds);
}

TEST(AdaptiveTier, InterpretsUntilItsCallsHaveUsedFourMillionUnitsThenCompiles) {
    if (Store({}, Tier::Compiler).tier() != Tier::Compiler)
        GTEST_SKIP() << "this host has no compiling tier";
    Store store({}, Tier::Adaptive);
    Instance& instance = store.instantiate(module_at(WASMACRO_TIERS_WASM_DIR "/adaptive.wasm"),
                                           [](const Import&) { return std::nullopt; });
    Function& count = *instance.exported_function("count");
    auto count_to = [&](uint32_t n) {
        std::vector<Value> args = {i32(n)};
        uint32_t counted = store.call(count, args).at(0).as_u32();
        EXPECT_EQ(store.last_call_fuel_used(), n); // a unit an iteration
        return counted;
    };
    EXPECT_EQ(store.tier(), Tier::Interpreter);
    EXPECT_EQ(count_to(1'500'000), 1'500'000u);
    EXPECT_EQ(count_to(1'500'000), 1'500'000u);
    // A trapped call's work does not count toward compiling.
    std::vector<Value> none;
    EXPECT_THROW(store.call(*instance.exported_function("recurse"), none), Trap);
    EXPECT_EQ(store.tier(), Tier::Interpreter);
    EXPECT_EQ(count_to(1'000'000), 1'000'000u);
    // The same functions, translated while interpreted, now run compiled.
    EXPECT_EQ(store.tier(), Tier::Compiler);
    EXPECT_EQ(count_to(1'000), 1'000u);
    EXPECT_THROW(store.call(*instance.exported_function("recurse"), none), Trap);
}

} // namespace
