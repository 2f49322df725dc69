// Units of the simulator. Quantities are plain doubles/floats in these units; the names document
// them at the point of use (NEST's convention): time in ms, potential in mV, current in pA,
// capacitance in pF, rate in Hz.
#pragma once

namespace snn::units {

constexpr double ms = 1.0;       ///< time unit
constexpr double second = 1e3;   ///< 1 s in ms
constexpr double mV = 1.0;       ///< potential unit
constexpr double pA = 1.0;       ///< current unit
constexpr double pF = 1.0;       ///< capacitance unit
constexpr double Hz = 1e-3;      ///< 1 Hz in events per ms

}  // namespace snn::units
