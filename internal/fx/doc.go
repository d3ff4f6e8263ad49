// Package fx holds effective-dated exchange rates and converts amounts of
// money between currencies exactly.
//
// # Rates
//
// A rate is stated in market notation: the pair EUR/USD at 1.0823 means
// 1 EUR = 1.0823 USD. It is kept as the decimal text its source gave, and as
// an integer and a power of ten (up to 12 fractional digits and 18
// significant ones), never as a binary float. A rate is in force from its
// date (00:00 UTC for a plain date) until the next rate of the same pair.
//
// [Load] reads rates from our CSV (date,base,quote,rate), from YAML (a
// rates: list) and from the European Central Bank's reference-rate files
// (eurofxref-hist.csv and eurofxref.csv, base EUR), telling them apart by
// their content. Later sources extend earlier ones; the same pair and date
// given twice with different rates is an error that names both places.
//
// [Table.Rate] finds the rate from one currency to another at an instant,
// using for each pair the newest rate at or before it, so that a Saturday
// uses Friday's reference rate. It tries, in order: the identity (no rate);
// the pair as asked (USD/JPY to convert USD into JPY); the inverse pair; a
// cross through one pivot currency (EUR first, then USD, then the others in
// alphabetical order), each leg direct or inverse. A pair whose rates are
// all later than the instant, or whose newest rate is older than the
// table's maximum age ([WithMaxAge]), is passed over for the next way; when
// no way works, the error is the one of the first way that was tried.
//
// # Rounding
//
// A [Rate] holds its conversion factor as an exact fraction: a direct leg
// is rate/1, an inverse leg 1/rate, a cross the product of its two legs.
// [Rate.Convert] multiplies an amount of nanos by that fraction exactly and
// rounds once, to the nearest nano, ties to even; negative amounts round
// symmetrically (-x converts to minus what x converts to). The product is
// formed in 128 bits when the fraction's terms fit 64 bits, else with
// math/big; a result beyond the range of money.Nanos saturates at its
// largest or smallest value, as money.Price.Cost does.
//
// # Text
//
// [Rate.String] is the canonical text of a rate, stored with every amount
// it converted, and [ParseRate] reads it back to an identical Rate:
//
//	USD>EUR:EUR/USD=1.0823@2026-11-30
//	USD>GBP:EUR/USD=1.0823@2026-11-30;EUR/GBP=0.8312@2026-11-30
//
// The part before the colon is the direction of use (from USD into EUR);
// each leg, in the order applied, is a pair in market notation, its rate as
// the source stated it and the date it took effect (YYYY-MM-DD, or an RFC
// 3339 time in UTC when it is not midnight). The identity, converting a
// currency to itself, is the empty string.
package fx
