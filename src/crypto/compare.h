// Constant-time comparisons, for MACs, tags, tokens and anything derived from a secret.
// Never compare such values with ==, memcmp or std::equal: their early exit leaks, through
// timing, how long the matching prefix is (RFC 8439 §4 makes the same point for tags).
#pragma once

#include <cstdint>
#include <span>

namespace hippocrate::crypto {

// True when `a` and `b` have the same size and the same bytes. The time taken depends only
// on the sizes (sodium_memcmp), never on the contents. Different sizes compare unequal at
// once: lengths are treated as public.
bool constant_time_equals(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

// True when every byte of `data` is zero, in time independent of the contents
// (sodium_is_zero). An empty span is all-zero.
bool is_all_zero(std::span<const std::uint8_t> data);

}  // namespace hippocrate::crypto
