#include "driver/commands.hpp"

#include <iostream>

int main(int argc, char** argv) {
    return wasmacro::driver::run(argc, argv, std::cin, std::cout, std::cerr);
}
