// Declares the generated embedded_pack_sources() (see tools/embed.cc).
#pragma once
#include <string>
#include <vector>

#include "claimx/rules.h"
