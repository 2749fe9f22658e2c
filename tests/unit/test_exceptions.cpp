// Exception handling (exceptions/exceptions.wat): what each case returns, in
// stores of every tier (a module that uses exceptions is interpreted
// whatever the store's tier), the trap of an exception nothing catches, and
// that unwinding is charged fuel.
#include "wasm/engine.hpp"
#include "wasm/module.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <string>

using namespace wasmacro::wasm;
using testing::HasSubstr;

namespace {

std::shared_ptr<const Module> load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in),
                               std::istreambuf_iterator<char>()};
    return load_module(bytes);
}

std::shared_ptr<const Module> exceptions_module() {
    return load(WASMACRO_EXCEPTIONS_WASM);
}

class Exceptions : public testing::TestWithParam<Tier> {
protected:
    Exceptions() : store(SandboxLimits{}, GetParam()) {
        instance = &store.instantiate(exceptions_module(), {});
    }
    std::vector<Value> call(const char* name, std::vector<Value> args = {}) {
        Function* function = instance->exported_function(name);
        if (!function) throw std::runtime_error(std::string("no export ") + name);
        return store.call(*function, args);
    }
    uint32_t call_i32(const char* name, std::vector<Value> args = {}) {
        return call(name, std::move(args)).at(0).as_u32();
    }
    Store store;
    Instance* instance = nullptr;
};

} // namespace

TEST_P(Exceptions, ModuleIsInterpretedInEveryTier) {
    EXPECT_EQ(store.tier(), Tier::Interpreter);
    EXPECT_THAT(feature_names(instance->module().features),
                testing::Contains("exception-handling"));
}

TEST_P(Exceptions, CatchReceivesTheValues) {
    EXPECT_EQ(call_i32("catch_value", {Value::i32(5)}), 105u);
    EXPECT_EQ(call("catch_by_tag", {Value::i32(0)}).at(0).bits, 43u);
    EXPECT_EQ(call("catch_by_tag", {Value::i32(1)}).at(0).bits, 99u);
    EXPECT_EQ(call_i32("catch_all_keeps_stack"), 1005u);
    EXPECT_EQ(call_i32("no_throw", {Value::i32(21)}), 42u);
}

TEST_P(Exceptions, UnwindsFramesToTheCatcher) {
    EXPECT_EQ(call_i32("deep", {Value::i32(0)}), 37u);
    EXPECT_EQ(call_i32("deep", {Value::i32(500)}), 37u);
    // Unwinding costs a unit a frame, beyond the calls themselves.
    call_i32("deep", {Value::i32(100)});
    uint64_t hundred = *store.last_call_fuel_used();
    call_i32("deep", {Value::i32(200)});
    EXPECT_EQ(*store.last_call_fuel_used() - hundred, 200u);
    // A frame with 64 try blocks to look through costs 4 units more.
    EXPECT_EQ(call_i32("deep_many_tries", {Value::i32(100)}), 1u);
    hundred = *store.last_call_fuel_used();
    call_i32("deep_many_tries", {Value::i32(200)});
    EXPECT_EQ(*store.last_call_fuel_used() - hundred, 600u);
}

TEST_P(Exceptions, NestedTryRethrowAndDelegate) {
    EXPECT_EQ(call_i32("throw_in_catch"), 111u);
    EXPECT_EQ(call_i32("rethrow"), 24u);
    EXPECT_EQ(call_i32("delegate"), 58u);
    EXPECT_EQ(call_i32("delegate_to_caller"), 9u);
}

TEST_P(Exceptions, CatchingInALoop) {
    EXPECT_EQ(call_i32("loop", {Value::i32(100)}), 5050u);
}

TEST_P(Exceptions, UncaughtIsATrapAndTheStoreGoesOn) {
    try {
        call("uncaught", {Value::i32(1)});
        FAIL() << "no trap";
    } catch (const Trap& trap) {
        EXPECT_EQ(trap.kind(), TrapKind::UncaughtException);
        EXPECT_THAT(trap.what(), HasSubstr("uncaught exception"));
    }
    EXPECT_EQ(call_i32("catch_value", {Value::i32(1)}), 101u);
}

TEST_P(Exceptions, FuelRunsOutInAThrowingLoop) {
    store.limits().fuel = 50;
    try {
        call("loop", {Value::i32(1000)});
        FAIL() << "no trap";
    } catch (const Trap& trap) {
        EXPECT_EQ(trap.kind(), TrapKind::FuelExhausted);
    }
}

INSTANTIATE_TEST_SUITE_P(Tiers, Exceptions,
                         testing::Values(Tier::Interpreter, Tier::Compiler, Tier::Adaptive),
                         [](const testing::TestParamInfo<Tier>& info) {
                             switch (info.param) {
                             case Tier::Interpreter: return "Interpreter";
                             case Tier::Compiler: return "Compiler";
                             case Tier::Adaptive: return "Adaptive";
                             }
                             return "Tier";
                         });

TEST(Exceptions, AStoreThatHasCompiledInterpretsOnceSuchAModuleIsIn) {
    Store store(SandboxLimits{}, Tier::Compiler);
    Instance& other = store.instantiate(load(WASMACRO_TIERS_WASM_DIR "/other.wasm"), {});
    Function& twice = *other.exported_function("twice");
    EXPECT_EQ(store.call(twice, std::vector{Value::i32(21)}).at(0).as_u32(), 42u);
    if (store.tier() != Tier::Compiler) GTEST_SKIP() << "the compiling tier does not run here";
    Instance& exceptions = store.instantiate(exceptions_module(), {});
    EXPECT_EQ(store.tier(), Tier::Interpreter);
    // The function compiled before runs interpreted now, as does the new module.
    EXPECT_EQ(store.call(twice, std::vector{Value::i32(4)}).at(0).as_u32(), 8u);
    EXPECT_EQ(store.call(*exceptions.exported_function("catch_value"), std::vector{Value::i32(2)})
                  .at(0)
                  .as_u32(),
              102u);
}

TEST(Exceptions, TagImportsAreRefused) {
    // (import "m" "t" (tag (param))): a tag crossing instances.
    std::vector<uint8_t> bytes = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00,
                                  0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x02, 0x08,
                                  0x01, 0x01, 'm',  0x01, 't',  0x04, 0x00, 0x00};
    Store store;
    try {
        store.instantiate(load_module(bytes), {});
        FAIL() << "instantiated";
    } catch (const LinkError& e) {
        EXPECT_THAT(e.what(), HasSubstr("unknown import \"m\" \"t\": tags cannot be imported"));
    }
}
