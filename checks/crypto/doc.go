// Package crypto validates cryptocurrency addresses and transaction hashes,
// screens addresses against sanctions lists (OFAC's digital-currency
// addresses), and, given an operator's node, screens a transaction's
// counterparties. It is a pure engine: no database, no globals.
//
// Design choices that are not obvious:
//
//   - Matching uses two keys per address. The match key says "same
//     destination on the same chain" and folds spellings together
//     (EVM case, legacy vs CashAddr, token-aware CashAddr, Monero
//     integrated vs standard address): a hit is severe. The key id says
//     "same key or script hash", across forms and chains (a BTC 1… and
//     bc1q… of one hash160, an LTC or XRP account of the same hash160, an
//     EVM address on another EVM chain or the Tron address of the same 20
//     bytes): a hit is high, because the holder of a listed key controls
//     these too, but the list named another chain.
//   - A listed address that does not validate for its listed currency is
//     kept, not dropped: it is indexed under the chains where it does
//     validate, and also matched as exact text, and reported as an Anomaly.
//     A list is authoritative about the string it publishes.
//   - A screening never reports a clean verdict for something it could not
//     check: a missing node, a node error, an unresolved input all add
//     counterparty_unscreened (medium).
//
// Reasons and their risk:
//
//	sanctioned_address            severe  the address is listed for this chain
//	sanctioned_counterparty       severe  a counterparty is listed
//	sanctioned_key_other_chain    high    same key/script hash listed in another form or chain
//	counterparty_key_other_chain  high    same, for a counterparty
//	invalid_address               high    the address is malformed: it cannot be screened (fail closed)
//	lists_not_loaded              high    no list entries at all: nothing was screened
//	invalid_counterparty          medium  a counterparty is malformed
//	counterparty_unscreened       medium  no node, node failure, unresolved inputs, bad tx hash
//	invalid_tx_hash               medium  the tx hash has the wrong format for the chain
//	tx_not_found                  medium  the node does not know the transaction
//	address_not_in_transaction    medium  the screened address is not a party of the named transaction
//	privacy_coin                  medium  Monero: counterparties unscreenable by design (FATF 2020 red flags, AECs)
//	shielded_address              medium  Zcash Sprout/Sapling/unified: same reason
//	testnet_address               medium  a testnet/regtest/stagenet address has no value: a mistake or a pretext
//	undefined_witness_version     medium  segwit v2–v16 or v1 non-32-byte: no spending rules yet, funds are at risk
//	burn_address                  medium  EVM zero address: funds are destroyed
//	non_checksummed_address       low     EVM address all in one case: no EIP-55 typo protection
//
// The overall risk is the highest reason's; with no reason it is low.
package crypto
