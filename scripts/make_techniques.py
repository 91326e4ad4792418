"""Write ``assets/knowledge/techniques.json`` from the tables below.

The tables are the source of truth for the wording; the script only expands the repetitive parts
(paraspinal zones by level range, the acupressure records' muscles and pregnancy cautions read from
``assets/points.json``) and keeps the record layout uniform. Run it from the project root::

    python scripts/make_techniques.py          # rewrites the file
    python scripts/make_techniques.py --check  # exit 1 when the committed file differs

All prose is our own words. Sources are cited per record and per caution (ids of
``assets/knowledge/sources.json``); they are the textbooks and papers that describe the technique,
its usual parameters or the caution, not a page-by-page quotation.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "assets" / "knowledge" / "techniques.json"
SEGMENTS = [*(f"C{i}" for i in range(1, 8)), *(f"T{i}" for i in range(1, 13)), *(f"L{i}" for i in range(1, 6))]


def levels(first: str, last: str) -> list[str]:
    return SEGMENTS[SEGMENTS.index(first): SEGMENTS.index(last) + 1]


def mf(first: str, last: str) -> list[str]:
    return [f"multifidus_{lv}" for lv in levels(first, last)]


# ---------------------------------------------------------------------------------------------
# cautions, reused by many records (own words)

C = {
    "anticoagulants_surface": {
        "kind": "anticoagulants",
        "text": "Bruising is likely in people on anticoagulant or antiplatelet drugs or with a bleeding "
                "disorder: ask first, and leave suction or scraping out unless their clinician agrees.",
        "sources": ["chirali2014", "nielsen2013"]},
    "anticoagulants_massage": {
        "kind": "anticoagulants",
        "text": "On anticoagulants or with a bleeding disorder, keep the pressure light: deep pressure can bruise.",
        "sources": ["batavia2004"]},
    "skin": {
        "kind": "skin_lesions",
        "text": "Not over broken, burnt, infected or inflamed skin, rashes, moles that have changed, or fresh scars.",
        "sources": ["batavia2004", "chirali2014"]},
    "skin_massage": {
        "kind": "skin_lesions",
        "text": "Work around open wounds, rashes and infected or inflamed skin, never over them.",
        "sources": ["batavia2004"]},
    "over_spine_cups": {
        "kind": "over_spine",
        "text": "Place the cups on the muscle either side of the spine, never on the spinous processes "
                "themselves, where the rim does not seal and the bone has little cover.",
        "sources": ["chirali2014"]},
    "over_spine_scrape": {
        "kind": "over_spine",
        "text": "Stroke beside the spine, not along the tips of the spinous processes.",
        "sources": ["nielsen2013"]},
    "over_spine_massage": {
        "kind": "over_spine",
        "text": "Press on the muscle beside the spine, not on the spinous processes.",
        "sources": ["batavia2004"]},
    "osteoporosis_pressure": {
        "kind": "osteoporosis",
        "text": "With osteoporosis or a past fragility fracture, use light pressure over the spine and ribs.",
        "sources": ["batavia2004"]},
    "osteoporosis_flexion": {
        "kind": "osteoporosis",
        "text": "With osteoporosis, avoid forceful or loaded bending forward of the spine: flexion exercise "
                "went with more new vertebral fractures than extension exercise in a clinical study.",
        "sources": ["sinaki1984"]},
    "pregnancy_low_back_cups": {
        "kind": "pregnancy",
        "text": "In pregnancy, no cups on the abdomen, the lower back or the sacrum.",
        "sources": ["chirali2014"]},
    "pregnancy_abdomen": {
        "kind": "pregnancy",
        "text": "In pregnancy, no deep work on the abdomen.",
        "sources": ["batavia2004"]},
    "pregnancy_prone": {
        "kind": "pregnancy",
        "text": "Later in pregnancy, lying face down is not comfortable or advisable: use side-lying or sitting instead.",
        "sources": ["batavia2004"]},
    "acute_massage": {
        "kind": "acute_injury",
        "text": "Not on a fresh injury (the first days after a strain, a fall or a tear, with heat and swelling): wait and get it assessed.",
        "sources": ["batavia2004"]},
    "acute_stretch": {
        "kind": "acute_injury",
        "text": "Not in the first days after a muscle strain or tear; a stretch should pull, never hurt sharply.",
        "sources": ["page2012"]},
    "acute_cups": {
        "kind": "acute_injury",
        "text": "Not over a fresh injury or a swollen, hot joint.",
        "sources": ["chirali2014"]},
    "fever": {
        "kind": "fever_infection",
        "text": "Not during a fever or an acute infection.",
        "sources": ["chirali2014", "batavia2004"]},
    "varicose": {
        "kind": "varicose_veins",
        "text": "Not over varicose veins; a calf that is suddenly swollen, warm and painful may be a deep vein "
                "thrombosis: do not massage it, send the person for care the same day.",
        "sources": ["batavia2004"]},
    "radiating": {
        "kind": "radiating_symptoms",
        "text": "If the stretch or pressure sends tingling, numbness or burning down the limb, ease off: "
                "that is nerve, not muscle. Weakness or spreading numbness needs a medical check.",
        "sources": ["travell1992", "page2012"]},
    "radiating_arm": {
        "kind": "radiating_symptoms",
        "text": "Tingling or numbness into the arm or hand means the nerves or vessels are being pressed: "
                "ease off at once.",
        "sources": ["travell1999"]},
    "neck_artery": {
        "kind": "nerve_or_artery",
        "text": "The carotid artery runs beside the front of this muscle: never press where a pulse is felt, "
                "work one side at a time, and stop at any dizziness or visual change.",
        "sources": ["travell1999"]},
    "axilla": {
        "kind": "nerve_or_artery",
        "text": "The armpit holds the brachial plexus and the axillary vessels: slow, gentle pressure only, "
                "and move off at any tingling or pulse under the fingers.",
        "sources": ["travell1999"]},
    "groin": {
        "kind": "nerve_or_artery",
        "text": "Keep away from the femoral pulse in the groin.",
        "sources": ["travell1992"]},
    "knee_back": {
        "kind": "nerve_or_artery",
        "text": "No deep pressure in the hollow behind the knee, where the popliteal artery and the tibial nerve run.",
        "sources": ["travell1992"]},
    "elbow_nerve": {
        "kind": "nerve_or_artery",
        "text": "Skip the groove behind the inner elbow bone: the ulnar nerve lies there just under the skin.",
        "sources": ["travell1999"]},
    "organs_flank": {
        "kind": "organs",
        "text": "Below the twelfth rib the kidney is not far under the muscle: press slowly and never hard or "
                "with a jab upward under the rib.",
        "sources": ["travell1992"]},
    "organs_abdomen": {
        "kind": "organs",
        "text": "Abdominal work goes slowly and stops for any pain that is deep rather than in the muscle; "
                "a pulsing mass is a reason to stop and refer.",
        "sources": ["travell1992"]},
    "hip_replacement": {
        "kind": "joint_replacement",
        "text": "After a hip replacement, avoid bringing the knee across the body or bending the hip past a "
                "right angle unless the surgeon has cleared it.",
        "sources": ["nelson2014"]},
    "hypermobile_shoulder": {
        "kind": "hypermobility",
        "text": "A shoulder that has dislocated or feels loose at the front should not be pushed into this "
                "position; keep the elbow below shoulder height.",
        "sources": ["nelson2014"]},
    "neck_extension": {
        "kind": "nerve_or_artery",
        "text": "Keep backward bending of the neck small; stop at dizziness, double vision or a new headache.",
        "sources": ["travell1999"]},
    "pregnancy_prone_stretch": {
        "kind": "pregnancy",
        "text": "Not lying face down in pregnancy; the belly muscles are already stretched then.",
        "sources": ["nelson2014"]},
}


def cautions(*keys: str) -> list[dict]:
    return [dict(C[k]) for k in keys]


# ---------------------------------------------------------------------------------------------
# stretches

STRETCH_SOURCES = ["page2012", "garber2011"]


def stretch(id_, name, muscles, position, steps, movement, self_steps, extra_sources, cauts,
            hold=(20, 30), reps="2 to 4 times each side", surface="posterior", zone_text="",
            self_allowed=True, why_not=None):
    return {
        "id": id_, "kind": "stretch", "name": name, "muscles": muscles, "levels": [],
        "zone": {"rule": "muscle_belly", "muscles": muscles, "surface": surface, "side": "bilateral",
                 "description": zone_text or f"Along the whole length of the muscles this stretch lengthens ({movement})."},
        "how": {"position": position, "steps": steps, "direction": "movement", "movement": movement,
                "pressure": None, "hold_s": list(hold), "duration_min": None, "repetitions": reps,
                "cup_size": None, "cups": None},
        "self_care": {"allowed": self_allowed, "steps": self_steps if self_allowed else [],
                      "why_not": why_not},
        "cautions": cautions(*cauts),
        "sources": [*extra_sources, *STRETCH_SOURCES],
    }


STRETCHES = [
    stretch("stretch_upper_trapezius", "Upper trapezius stretch", ["trapezius_upper"],
            "Sitting tall, holding the seat with the hand of the side to stretch.",
            ["Tip the ear toward the opposite shoulder, then nod the chin slightly down.",
             "Let the held shoulder stay low; the pull is felt from the back of the skull to the shoulder tip."],
            "side-bending of the head away from the muscle, with a little forward nod",
            ["Sit upright and hold the chair seat with the hand on the sore side.",
             "Tilt your head so the other ear goes toward its shoulder; nod a little.",
             "Stay where you feel a gentle pull, breathing slowly, for 20 to 30 seconds.",
             "Come back slowly. Do it 2 to 4 times, once or twice a day."],
            ["travell1999", "kendall2005"], ["acute_stretch", "radiating_arm"]),
    stretch("stretch_levator_scapulae", "Levator scapulae stretch", ["levator_scapulae"],
            "Sitting, the arm of the side to stretch resting behind or holding the seat.",
            ["Turn the face about 45 degrees away from the side to stretch.",
             "Bring the nose down toward the opposite armpit; the other hand may rest on the head without pulling."],
            "rotation away and forward bending of the head, shoulder blade held down",
            ["Sit and hold the chair seat with the hand on the sore side.",
             "Turn your head halfway toward the other side, then look down toward that armpit.",
             "Hold a mild pull at the back of the neck for 20 to 30 seconds; never bounce.",
             "Repeat 2 to 4 times."],
            ["travell1999"], ["acute_stretch", "radiating_arm"]),
    stretch("stretch_scalenes", "Scalene stretch",
            ["scalene_anterior", "scalene_middle", "scalene_posterior"],
            "Sitting, the hand of the side to stretch tucked under the thigh to hold the first rib down.",
            ["Bend the head sideways away from the side to stretch.",
             "Vary the turn: face slightly up for the front fibres, straight for the middle, slightly down for the back."],
            "side-bending of the neck away, with small changes of rotation for each part",
            ["Sit on your hand on the sore side so that shoulder stays down.",
             "Lean your head to the other side and breathe out slowly.",
             "Only a small tilt upward of the face; hold 20 to 30 seconds.",
             "Stop at once if the arm or hand tingles."],
            ["travell1999"], ["acute_stretch", "radiating_arm", "neck_extension"], surface="lateral"),
    stretch("stretch_sternocleidomastoid", "Sternocleidomastoid stretch", ["sternocleidomastoid"],
            "Sitting tall, the collarbone of the side to stretch held down by the other hand.",
            ["Turn the face toward the side being stretched.",
             "Tilt the head gently back and away until the front of the neck feels a pull."],
            "rotation toward and a little backward tilt away from the muscle",
            ["Sit upright; put the opposite hand flat below your collarbone on the sore side.",
             "Turn your face toward the sore side, then tip your head only a little back.",
             "Hold 20 to 30 seconds and breathe.",
             "Stop if you feel dizzy or your vision changes."],
            ["travell1999"], ["acute_stretch", "neck_extension"], surface="lateral"),
    stretch("stretch_posterior_neck", "Back-of-neck stretch",
            ["splenius_capitis", "splenius_cervicis", "semispinalis_capitis", "semispinalis_cervicis",
             *mf("C2", "C7")],
            "Sitting or lying on the back with a thin pillow.",
            ["Draw the chin straight back (a double chin), then let the head nod forward.",
             "A slight turn to one side brings the pull onto that side's deep neck muscles."],
            "chin tuck followed by forward bending of the head and neck",
            ["Sit tall and pull your chin straight back, as if making a double chin.",
             "Let your head drop forward slowly; your hands may rest on the back of the head without pressing.",
             "Hold 20 to 30 seconds; repeat 2 to 4 times."],
            ["travell1999", "nelson2014"], ["acute_stretch", "radiating_arm"]),
    stretch("stretch_interscapular", "Between-the-shoulder-blades stretch",
            ["trapezius_middle", "trapezius_lower", "rhomboid_major", "rhomboid_minor"],
            "Standing or sitting.",
            ["Hug the opposite shoulders, or clasp the hands in front at shoulder height.",
             "Push the hands forward and round the upper back so the shoulder blades slide apart."],
            "protraction of both shoulder blades with rounding of the upper back",
            ["Wrap your arms around yourself as in a hug.",
             "Round your upper back and let your shoulder blades spread apart.",
             "Breathe into the back between them for 20 to 30 seconds; repeat 2 to 4 times."],
            ["travell1999", "nelson2014"], ["acute_stretch", "osteoporosis_flexion"]),
    stretch("stretch_posterior_shoulder", "Cross-body shoulder stretch",
            ["infraspinatus", "teres_minor", "deltoid"],
            "Standing or sitting.",
            ["Bring the straight arm across the chest at shoulder height or a little below.",
             "The other hand draws the upper arm (not the elbow joint) closer to the chest."],
            "horizontal adduction of the arm across the body",
            ["Lift the sore arm across your chest.",
             "With the other hand, draw it gently closer above the elbow.",
             "Keep the shoulder down and relaxed; hold 20 to 30 seconds, 2 to 4 times."],
            ["travell1999", "nelson2014"], ["acute_stretch"]),
    stretch("stretch_supraspinatus", "Hand-behind-back shoulder stretch", ["supraspinatus"],
            "Standing.",
            ["Place the back of the hand on the lower back.",
             "The other hand draws the wrist gently toward the opposite hip."],
            "adduction of the arm behind the back",
            ["Put the back of your hand on your lower back.",
             "Take the wrist with the other hand and draw it slowly across toward the other side.",
             "A mild pull over the top of the shoulder blade is enough; hold 20 to 30 seconds."],
            ["travell1999"], ["acute_stretch", "hypermobile_shoulder"]),
    stretch("stretch_latissimus", "Overhead side reach", ["latissimus_dorsi", "teres_major"],
            "Standing, feet hip-width apart, or kneeling with the hands far forward on the floor.",
            ["Reach the arm of the side to stretch up and over the head.",
             "Lean the trunk away, keeping the hips still, so the pull runs from the armpit to the waist."],
            "elevation of the arm overhead with side-bending of the trunk away",
            ["Stand and lift the sore-side arm overhead.",
             "Lean sideways to the other side; keep both feet flat.",
             "Hold 20 to 30 seconds; breathe into the side of the ribs; repeat 2 to 4 times."],
            ["travell1999", "nelson2014"], ["acute_stretch", "hypermobile_shoulder"], surface="lateral"),
    stretch("stretch_subscapularis", "Doorway turn-out stretch", ["subscapularis"],
            "Standing in a doorway, elbow bent to a right angle and kept at the side.",
            ["The palm rests on the door frame.",
             "Turn the body away from the hand so the forearm rotates outward."],
            "external rotation of the arm with the elbow at the side",
            ["Stand in a doorway with your elbow bent and tucked at your side.",
             "Put your palm on the frame and slowly turn your body away.",
             "Stop at a mild stretch deep in the front of the shoulder; hold 20 to 30 seconds."],
            ["travell1999"], ["acute_stretch", "hypermobile_shoulder"], surface="anterior"),
    stretch("stretch_pectorals", "Doorway chest stretch", ["pectoralis_major", "pectoralis_minor"],
            "Standing in a doorway, the forearm on the frame with the elbow at shoulder height or lower.",
            ["Step through with the leg on the same side until the chest opens.",
             "A lower elbow favours the upper fibres; a higher one the lower fibres and pectoralis minor."],
            "horizontal abduction and external rotation of the arm, chest moving forward",
            ["Put your forearm on the door frame, elbow no higher than your shoulder.",
             "Step forward gently until you feel the front of the chest stretch.",
             "Hold 20 to 30 seconds; 2 to 4 times each side."],
            ["travell1999", "nelson2014"], ["acute_stretch", "hypermobile_shoulder", "radiating_arm"],
            surface="anterior"),
    stretch("stretch_serratus_anterior", "Shoulder blade squeeze with turn", ["serratus_anterior"],
            "Standing side-on beside a door frame.",
            ["Hold the frame behind at shoulder height with the hand of the side to stretch.",
             "Turn the chest away and let the shoulder blade draw toward the spine."],
            "retraction of the shoulder blade with the trunk turning away",
            ["Stand next to a door frame and hold it behind you at shoulder height.",
             "Turn your chest slowly away from that hand.",
             "Feel the side of the ribs below the armpit lengthen; hold 20 to 30 seconds."],
            ["travell1999"], ["acute_stretch", "hypermobile_shoulder"], surface="lateral"),
    stretch("stretch_elbow_flexors", "Straight-arm biceps stretch", ["biceps_brachii", "brachialis"],
            "Standing with the back to a table.",
            ["Place the palm down on the table behind, elbow straight.",
             "Bend the knees slowly so the arm goes further behind the body."],
            "elbow extension with the arm behind the body and the palm turned down",
            ["Stand with your back to a table and rest your palm on it, fingers pointing back.",
             "Keep the elbow straight and bend your knees slowly.",
             "Hold a mild pull at the front of the arm for 20 to 30 seconds."],
            ["travell1999", "nelson2014"], ["acute_stretch", "hypermobile_shoulder"], surface="anterior"),
    stretch("stretch_triceps", "Overhead triceps stretch", ["triceps_brachii"],
            "Standing or sitting.",
            ["Lift the arm overhead and bend the elbow so the hand drops behind the head.",
             "The other hand eases the elbow back."],
            "full elbow flexion with the arm overhead",
            ["Raise your arm and let the hand drop behind your head.",
             "With the other hand, ease the elbow gently back and in.",
             "Hold 20 to 30 seconds; 2 to 4 times."],
            ["travell1999", "nelson2014"], ["acute_stretch"]),
    stretch("stretch_forearm_extensors", "Wrist extensor stretch",
            ["brachioradialis", "extensor_carpi_radialis_longus", "extensor_carpi_radialis_brevis",
             "extensor_carpi_ulnaris", "extensor_digitorum"],
            "Standing or sitting, the arm straight in front, palm down.",
            ["Bend the wrist and fingers down with the other hand.",
             "Turning the palm further outward brings in brachioradialis."],
            "wrist and finger flexion with the elbow straight and the forearm turned palm-down",
            ["Hold your arm out straight, palm down.",
             "Use the other hand to bend your wrist and fingers down until the top of the forearm pulls.",
             "Hold 20 to 30 seconds, 2 to 4 times; good between long spells at a keyboard."],
            ["travell1999", "nelson2014"], ["acute_stretch"]),
    stretch("stretch_forearm_flexors", "Wrist flexor stretch",
            ["flexor_carpi_radialis", "flexor_carpi_ulnaris", "flexor_digitorum_superficialis", "pronator_teres"],
            "Standing or sitting, the arm straight in front, palm up.",
            ["Bend the wrist and fingers back with the other hand.",
             "Turning the palm further up (supination) adds pronator teres."],
            "wrist and finger extension with the elbow straight and the palm turned up",
            ["Hold your arm out straight with the palm up.",
             "With the other hand, bend the fingers and wrist back gently.",
             "Hold 20 to 30 seconds; 2 to 4 times."],
            ["travell1999", "nelson2014"], ["acute_stretch", "radiating_arm"], surface="anterior"),
    stretch("stretch_thoracic_rotation", "Seated upper-back curl and turn",
            ["spinalis", "semispinalis_thoracis", *mf("T1", "T12")],
            "Sitting on a stool, arms crossed over the chest.",
            ["Curl the upper back forward a little, then turn the trunk to one side from the middle of the back.",
             "The hips stay square on the seat."],
            "gentle flexion with rotation of the thoracic spine",
            ["Sit on a chair with your arms crossed on your chest.",
             "Round your upper back slightly, then turn slowly to one side as far as is comfortable.",
             "Hold 20 to 30 seconds; turn to the other side. Repeat 2 to 4 times."],
            ["nelson2014", "kendall2005"], ["acute_stretch", "osteoporosis_flexion"]),
    stretch("stretch_knees_to_chest", "Knees-to-chest low back stretch",
            ["iliocostalis", "longissimus", *mf("L1", "L5")],
            "Lying on the back on a firm surface, knees bent.",
            ["Bring one knee, then both, toward the chest, holding behind the thighs.",
             "The low back rounds onto the floor; the head stays down."],
            "flexion of the lumbar spine and hips",
            ["Lie on your back with your knees bent.",
             "Hold behind your thighs and draw your knees toward your chest.",
             "Hold 20 to 30 seconds while breathing slowly; lower one leg at a time.",
             "If pain spreads down a leg, stop and tell your practitioner."],
            ["nelson2014", "kendall2005"], ["acute_stretch", "osteoporosis_flexion", "radiating"]),
    stretch("stretch_quadratus_lumborum", "Standing side bend", ["quadratus_lumborum"],
            "Standing, the leg of the side to stretch crossed behind the other.",
            ["Reach the arm of that side overhead.",
             "Lean the trunk away and push the hip out toward the stretched side."],
            "side-bending of the trunk away with the pelvis shifted toward the muscle",
            ["Stand and cross the sore-side leg behind the other.",
             "Lift that arm overhead and lean to the other side, hip pushed out.",
             "Hold a gentle pull in the waist for 20 to 30 seconds; 2 to 4 times."],
            ["travell1992", "nelson2014"], ["acute_stretch", "osteoporosis_flexion"], surface="lateral"),
    stretch("stretch_abdominals", "Lying press-up", ["rectus_abdominis", "external_oblique"],
            "Lying face down, hands under the shoulders.",
            ["Press the chest up onto the forearms or hands, hips staying on the floor.",
             "A slow look over one shoulder adds the opposite oblique."],
            "extension of the trunk with the pelvis on the floor",
            ["Lie on your front with hands under your shoulders.",
             "Press up gently onto your forearms; let your belly stay relaxed on the floor.",
             "Hold 20 to 30 seconds; lower slowly."],
            ["nelson2014", "kendall2005"], ["acute_stretch", "pregnancy_prone_stretch"], surface="anterior"),
    stretch("stretch_hip_flexors", "Half-kneeling hip flexor stretch",
            ["psoas_major", "iliacus", "sartorius"],
            "Half-kneeling on a cushion, the side to stretch kneeling behind.",
            ["Tuck the tail under, then shift the body forward until the front of the back hip pulls.",
             "Turning the back foot slightly out rotates the hip inward and adds sartorius."],
            "hip extension with the pelvis tilted back",
            ["Kneel on a cushion on the sore side, the other foot forward.",
             "Tighten your belly and tuck your tail under.",
             "Shift your weight forward slowly until the front of the hip stretches; hold 20 to 30 seconds."],
            ["travell1992", "nelson2014"], ["acute_stretch", "hip_replacement"], surface="anterior"),
    stretch("stretch_quadriceps", "Standing quadriceps stretch",
            ["rectus_femoris", "vastus_lateralis", "vastus_medialis", "vastus_intermedius"],
            "Standing, one hand on a wall or chair for balance.",
            ["Bend the knee and hold the ankle, bringing the heel toward the buttock.",
             "Keep the knees side by side and the pelvis level so the hip stays straight for rectus femoris."],
            "knee flexion with the hip kept straight",
            ["Hold a chair for balance.",
             "Bend your knee and take your ankle (or a towel round it) in your hand.",
             "Keep your knees together and stand tall; hold 20 to 30 seconds."],
            ["travell1992", "nelson2014"], ["acute_stretch"], surface="anterior"),
    stretch("stretch_gluteus_maximus", "Knee-to-opposite-shoulder stretch", ["gluteus_maximus"],
            "Lying on the back.",
            ["Draw one knee up toward the opposite shoulder with both hands."],
            "hip flexion with slight adduction",
            ["Lie on your back.",
             "Hold one knee and draw it toward the opposite shoulder.",
             "Feel the buttock lengthen; hold 20 to 30 seconds, 2 to 4 times each side."],
            ["travell1992", "nelson2014"], ["acute_stretch", "hip_replacement"]),
    stretch("stretch_piriformis", "Figure-four stretch", ["piriformis"],
            "Lying on the back, both knees bent.",
            ["Cross the ankle of the side to stretch over the other knee.",
             "Lift the other foot and draw that thigh toward the chest."],
            "hip flexion with external rotation, the knee crossed over",
            ["Lie on your back, knees bent.",
             "Rest the ankle of the sore side on the other knee.",
             "Hold the other thigh and draw it toward you until the deep buttock stretches.",
             "Hold 20 to 30 seconds; stop if it causes tingling down the leg."],
            ["travell1992", "nelson2014"], ["acute_stretch", "hip_replacement", "radiating"]),
    stretch("stretch_lateral_hip", "Standing cross-over hip stretch",
            ["gluteus_medius", "gluteus_minimus", "tensor_fasciae_latae"],
            "Standing beside a wall, the side to stretch nearest it.",
            ["Cross the near leg behind the other.",
             "Let the hip drift toward the wall while the trunk leans slightly away."],
            "hip adduction with the hip extended",
            ["Stand side-on to a wall with the sore side nearest it.",
             "Cross that leg behind the other and let your hip move toward the wall.",
             "Hold 20 to 30 seconds where the outside of the hip pulls; 2 to 4 times."],
            ["travell1992", "nelson2014"], ["acute_stretch", "hip_replacement"], surface="lateral"),
    stretch("stretch_hamstrings", "Lying hamstring stretch with a strap",
            ["biceps_femoris", "semitendinosus", "semimembranosus"],
            "Lying on the back, a strap or towel round the foot.",
            ["Lift the straight leg with the strap until the back of the thigh pulls.",
             "The other leg rests bent or straight on the floor."],
            "hip flexion with the knee straight",
            ["Lie on your back with a towel around one foot.",
             "Keep the knee straight and lift the leg using the towel.",
             "Stop at a pull behind the thigh; hold 20 to 30 seconds.",
             "A pull behind the knee or tingling in the foot means go lower."],
            ["travell1992", "nelson2014"], ["acute_stretch", "radiating"]),
    stretch("stretch_adductors", "Seated wide-leg stretch", ["adductor_longus", "gracilis"],
            "Sitting on the floor, legs apart and knees straight.",
            ["Lean forward from the hips with a straight back.",
             "With the soles together instead (knees bent), the stretch stays on adductor longus."],
            "hip abduction, with the knees straight for gracilis",
            ["Sit with your legs apart and knees straight, a cushion under your buttocks if needed.",
             "Lean forward from the hips, keeping your back long.",
             "Hold 20 to 30 seconds on the inner thighs; 2 to 4 times."],
            ["travell1992", "nelson2014"], ["acute_stretch", "hip_replacement"], surface="medial"),
    stretch("stretch_gastrocnemius", "Wall calf stretch, knee straight", ["gastrocnemius"],
            "Standing facing a wall, hands on it, the leg to stretch behind.",
            ["Back heel down, back knee straight, toes pointing forward.",
             "Bend the front knee and move the hips toward the wall."],
            "ankle dorsiflexion with the knee straight",
            ["Stand facing a wall with one foot behind.",
             "Keep that heel down and that knee straight.",
             "Lean toward the wall until the calf pulls; hold 20 to 30 seconds."],
            ["travell1992", "nelson2014"], ["acute_stretch", "varicose"]),
    stretch("stretch_soleus", "Wall calf stretch, knee bent", ["soleus", "tibialis_posterior"],
            "Standing facing a wall, the leg to stretch a short step behind.",
            ["Back heel down, then bend both knees.",
             "Letting the arch roll slightly inward brings in tibialis posterior."],
            "ankle dorsiflexion with the knee bent",
            ["Stand facing a wall with one foot a short step behind.",
             "Keep the heel down and bend both knees until the low calf pulls.",
             "Hold 20 to 30 seconds; 2 to 4 times."],
            ["travell1992", "nelson2014"], ["acute_stretch", "varicose"]),
    stretch("stretch_shin", "Front-of-shin stretch",
            ["tibialis_anterior", "extensor_hallucis_longus", "extensor_digitorum_longus"],
            "Standing, holding a chair.",
            ["Place the top of the foot on the floor behind, toes curled under.",
             "Bend the standing knee slightly so the ankle points further."],
            "ankle plantar flexion with the toes flexed",
            ["Hold a chair and put the top of one foot on the floor behind you, toes curled.",
             "Bend your standing knee a little until the front of the shin pulls.",
             "Hold 20 to 30 seconds."],
            ["travell1992"], ["acute_stretch"], surface="anterior"),
    stretch("stretch_fibularis", "Ankle turn-in stretch", ["fibularis_longus"],
            "Sitting with the ankle of the side to stretch resting on the other knee.",
            ["Hold the foot and pull it up, then turn the sole inward."],
            "ankle dorsiflexion with inversion",
            ["Sit and rest your ankle on the other knee.",
             "Pull your foot up toward you, then turn the sole inward.",
             "Hold 20 to 30 seconds at the outside of the lower leg."],
            ["travell1992"], ["acute_stretch"], surface="lateral"),
]


# ---------------------------------------------------------------------------------------------
# massage

def massage(id_, name, muscles, position, steps, direction, pressure, minutes, self_steps, srcs, cauts,
            surface="posterior", zone_text="", levels_=None, self_allowed=True, why_not=None, zone=None):
    return {
        "id": id_, "kind": "massage", "name": name, "muscles": muscles, "levels": levels_ or [],
        "zone": zone or {"rule": "muscle_belly", "muscles": muscles, "surface": surface, "side": "bilateral",
                         "description": zone_text},
        "how": {"position": position, "steps": steps, "direction": direction, "movement": None,
                "pressure": pressure, "hold_s": None, "duration_min": list(minutes), "repetitions": None,
                "cup_size": None, "cups": None},
        "self_care": {"allowed": self_allowed, "steps": self_steps if self_allowed else [], "why_not": why_not},
        "cautions": cautions(*cauts),
        "sources": srcs,
    }


BALL_WALL = "Lean against a wall with a tennis ball between the wall and {where}; roll slowly and rest on tender spots for 30 to 60 seconds."

MASSAGES = [
    massage("massage_upper_trapezius", "Neck-shoulder kneading", ["trapezius_upper", "levator_scapulae"],
            "Sitting, or lying on the back with the head supported.",
            ["Knead the ridge between the neck and the shoulder tip with the thumb and fingers.",
             "Follow with slow pressure on tender spots until they soften, 30 to 60 seconds each."],
            "across_fibres", "moderate", (5, 10),
            ["Reach across with the opposite hand and squeeze the top of your shoulder.",
             "Work from the neck outward to the shoulder tip, 2 to 3 minutes.",
             BALL_WALL.format(where="the top of your shoulder blade")],
            ["travell1999", "batavia2004"], ["skin_massage", "acute_massage", "anticoagulants_massage"],
            zone_text="The upper border of the trapezius from the base of the skull to the shoulder tip, and levator scapulae above the shoulder blade's upper corner."),
    massage("massage_posterior_neck", "Back-of-neck fingertip circles",
            ["splenius_capitis", "splenius_cervicis", "semispinalis_capitis", "semispinalis_cervicis", *mf("C2", "C7")],
            "Lying on the back, the head cradled in the practitioner's hands.",
            ["Fingertips under the neck beside the spine make small circles from the base of the skull down to C7.",
             "Let the head's weight provide the pressure; end with slow traction along the neck."],
            "cranial_to_caudal", "light", (5, 10),
            ["Sit with your elbows on a table and put your fingertips on the back of your neck beside the spine.",
             "Make small slow circles from the base of the skull downward for 2 to 3 minutes."],
            ["travell1999", "batavia2004"], ["over_spine_massage", "skin_massage", "acute_massage"],
            levels_=levels("C2", "C7"),
            zone_text="The muscle either side of the cervical spinous processes, from the occiput to C7."),
    massage("massage_front_neck", "Gentle pincer work on the side of the neck",
            ["sternocleidomastoid", "scalene_anterior", "scalene_middle", "scalene_posterior"],
            "Lying on the back, head turned slightly toward the side worked to slacken the muscle.",
            ["Lift sternocleidomastoid between thumb and fingers and squeeze gently along its length.",
             "Behind it, light flat fingertips rest on the scalenes above the collarbone; no deep pressure."],
            "along_fibres", "light", (3, 5),
            ["Turn your head a little toward the side you will work.",
             "Pinch the rope-like muscle at the side of the neck lightly between thumb and finger, from behind the ear down to the collarbone.",
             "One side at a time, 1 to 2 minutes; stop if you feel a pulse or get dizzy."],
            ["travell1999", "batavia2004"], ["neck_artery", "radiating_arm", "skin_massage"], surface="lateral",
            zone_text="Sternocleidomastoid from behind the ear to the collarbone, and the scalenes in the triangle behind it."),
    massage("massage_interscapular", "Between-the-shoulder-blades massage",
            ["trapezius_middle", "trapezius_lower", "rhomboid_major", "rhomboid_minor"],
            "Lying face down, or sitting leaning on a table.",
            ["Long gliding strokes from the spine out to the shoulder blade, then kneading along the medial border.",
             "Sustained thumb pressure on tender bands, released when they ease."],
            "medial_to_lateral", "moderate", (5, 10),
            [BALL_WALL.format(where="the area between your spine and shoulder blade"),
             "Cross your arms in front to move the shoulder blade out of the way."],
            ["travell1999", "batavia2004"], ["over_spine_massage", "skin_massage", "osteoporosis_pressure", "pregnancy_prone"],
            zone_text="Between the medial border of the scapula and the thoracic spinous processes, T1 to T12 for the lower trapezius."),
    massage("massage_rotator_cuff", "Shoulder blade pressure work",
            ["supraspinatus", "infraspinatus", "teres_minor", "teres_major"],
            "Lying face down, or sitting.",
            ["Thumb pressure in the hollow above the spine of the scapula, then over the flat below it.",
             "Knead the outer border of the shoulder blade toward the armpit."],
            "static", "moderate", (5, 8),
            [BALL_WALL.format(where="your shoulder blade"),
             "Move the arm slowly while resting on a tender spot."],
            ["travell1999"], ["skin_massage", "acute_massage"],
            zone_text="The supraspinous and infraspinous fossae and the lateral border of the scapula."),
    massage("massage_subscapularis", "Subscapularis release", ["subscapularis"],
            "Lying on the back, the arm drawn out from the side with the elbow bent.",
            ["Slide flat fingers into the armpit along the front of the shoulder blade.",
             "Hold slow pressure on tender spots while the arm is gently moved outward."],
            "static", "light", (3, 5), [], ["travell1999"], ["axilla", "skin_massage"],
            surface="anterior", self_allowed=False,
            why_not="It is reached through the armpit, where nerves and vessels lie close; leave it to a trained practitioner.",
            zone_text="The front surface of the scapula, reached through the back wall of the armpit."),
    massage("massage_latissimus", "Latissimus and back of armpit kneading", ["latissimus_dorsi"],
            "Lying on the side, the upper arm overhead.",
            ["Grasp the back fold of the armpit and knead it.",
             "Long strokes down the side of the back toward the waist."],
            "cranial_to_caudal", "moderate", (5, 8),
            ["Lie on your side with a soft ball under the back of the armpit and roll slowly.",
             "Or squeeze the fold behind your armpit with the other hand."],
            ["travell1999"], ["skin_massage", "osteoporosis_pressure"], surface="lateral",
            zone_text="From the posterior axillary fold down the side of the back to the iliac crest."),
    massage("massage_serratus", "Side-of-ribs fingertip work", ["serratus_anterior"],
            "Lying on the side, upper arm resting forward on a pillow.",
            ["Flat fingertips follow the slips of the muscle on the ribs below the armpit.",
             "Pressure stays light over the ribs."],
            "along_fibres", "light", (3, 5),
            ["Sit and place your fingertips on the side of your ribs below the armpit.",
             "Make slow circles for 1 to 2 minutes, gently."],
            ["travell1999"], ["osteoporosis_pressure", "skin_massage"], surface="lateral",
            zone_text="The side of the chest wall between the armpit and the lower ribs, in the mid-axillary line."),
    massage("massage_pectorals", "Chest muscle kneading", ["pectoralis_major", "pectoralis_minor"],
            "Lying on the back, the arm resting out to the side.",
            ["Knead the front fold of the armpit between thumb and fingers.",
             "For pectoralis minor, slow fingertip pressure under the fold toward the coracoid process."],
            "lateral_to_medial", "moderate", (5, 8),
            ["Squeeze the front fold of your armpit with the other hand, working toward the chest.",
             "Or lean into a door frame with a ball below your collarbone, gently."],
            ["travell1999"], ["axilla", "osteoporosis_pressure", "skin_massage"], surface="anterior",
            zone_text="The anterior axillary fold and the upper chest below the clavicle."),
    massage("massage_deltoid", "Deltoid kneading", ["deltoid"],
            "Sitting with the arm supported.",
            ["Knead the cap of the shoulder front, side and back.",
             "Strokes run from the elbow toward the shoulder tip."],
            "caudal_to_cranial", "moderate", (3, 5),
            ["Knead the cap of your shoulder with the other hand for 1 to 2 minutes."],
            ["travell1999"], ["acute_massage", "skin_massage"], surface="lateral",
            zone_text="The cap of the shoulder from the acromion to the deltoid tuberosity."),
    massage("massage_upper_arm", "Upper arm kneading", ["biceps_brachii", "brachialis", "triceps_brachii"],
            "Sitting or lying, the arm supported.",
            ["Knead the front and back of the upper arm, working toward the shoulder."],
            "caudal_to_cranial", "moderate", (3, 5),
            ["Knead the front and back of your upper arm with the other hand, elbow to shoulder."],
            ["travell1999"], ["acute_massage", "skin_massage"], surface="anterior",
            zone_text="The front and back of the upper arm between the shoulder and the elbow."),
    massage("massage_forearm_extensors", "Forearm extensor stripping",
            ["brachioradialis", "extensor_carpi_radialis_longus", "extensor_carpi_radialis_brevis",
             "extensor_carpi_ulnaris", "extensor_digitorum"],
            "Sitting, forearm palm-down on a table.",
            ["Slow thumb strokes from the wrist up to the outer elbow, one line at a time.",
             "Rest on tender spots near the elbow for 30 seconds."],
            "along_fibres", "moderate", (3, 5),
            ["Rest your forearm palm-down.",
             "Glide the thumb of the other hand from the wrist up to the outer elbow, slowly, 5 to 10 times."],
            ["travell1999"], ["acute_massage", "skin_massage"], surface="dorsal",
            zone_text="The back and thumb side of the forearm, from the lateral epicondyle to the wrist."),
    massage("massage_forearm_flexors", "Forearm flexor stripping",
            ["flexor_carpi_radialis", "flexor_carpi_ulnaris", "pronator_teres", "flexor_digitorum_superficialis"],
            "Sitting, forearm palm-up on a table.",
            ["Slow thumb strokes from the wrist up to the inner elbow."],
            "along_fibres", "moderate", (3, 5),
            ["Rest your forearm palm-up.",
             "Glide your thumb from the wrist to the inner elbow, slowly, 5 to 10 times."],
            ["travell1999"], ["elbow_nerve", "skin_massage"], surface="palmar",
            zone_text="The palm side of the forearm, from the medial epicondyle to the wrist."),
    massage("massage_thoracic_paraspinal", "Upper and middle back paraspinal massage",
            ["spinalis", "semispinalis_thoracis", "iliocostalis", "longissimus", *mf("T1", "T12")],
            "Lying face down with a pillow under the chest, or sitting leaning forward on a table.",
            ["Long strokes down both sides of the spine, then kneading of the muscle columns.",
             "Thumb pressure level by level beside the spinous processes, never on them."],
            "cranial_to_caudal", "moderate", (8, 15),
            [BALL_WALL.format(where="the muscle beside your spine (two balls in a sock sit either side of the spine)")],
            ["furlan2015", "batavia2004"],
            ["over_spine_massage", "osteoporosis_pressure", "skin_massage", "pregnancy_prone"],
            levels_=levels("T1", "T12"),
            zone={"rule": "paraspinal", "from_level": "T1", "to_level": "T12",
                  "lines": ["jiaji", "bladder_inner", "bladder_outer"], "surface": "posterior", "side": "bilateral",
                  "description": "Both sides of the spine from T1 to T12, from beside the spinous processes out to the bladder outer line (3 cun)."}),
    massage("massage_lumbar_paraspinal", "Low back paraspinal massage",
            ["iliocostalis", "longissimus", *mf("L1", "L5")],
            "Lying face down with a pillow under the belly, or on the side.",
            ["Warm the area with broad strokes from the lower ribs to the pelvis.",
             "Knead the two muscle columns, then hold thumb pressure on tender spots level by level."],
            "cranial_to_caudal", "moderate", (10, 20),
            ["Lie on your back with two tennis balls in a sock under your low back, one either side of the spine.",
             "Rest on them and shift slowly up and down for 2 to 3 minutes."],
            ["furlan2015", "batavia2004"],
            ["over_spine_massage", "osteoporosis_pressure", "skin_massage", "pregnancy_prone", "radiating"],
            levels_=levels("L1", "L5"),
            zone={"rule": "paraspinal", "from_level": "L1", "to_level": "L5",
                  "lines": ["jiaji", "bladder_inner", "bladder_outer"], "surface": "posterior", "side": "bilateral",
                  "description": "Both sides of the lumbar spine from L1 to L5, out to 3 cun from the midline."}),
    massage("massage_quadratus_lumborum", "Flank pressure work", ["quadratus_lumborum"],
            "Lying on the side, a pillow under the waist, top arm overhead.",
            ["Thumb or fingertip pressure in the soft angle between the twelfth rib, the spine muscles and the iliac crest.",
             "Direct the pressure toward the spine, slowly."],
            "lateral_to_medial", "moderate", (3, 8),
            ["Lie on your back with a tennis ball under the side of your waist, just above the hip bone.",
             "Rest there for 30 to 60 seconds and breathe; do not press under the ribs."],
            ["travell1992"], ["organs_flank", "skin_massage", "acute_massage"], surface="posterior",
            zone={"rule": "between", "landmark": "iliac_crest_top", "toward": "rib12_free_end", "width_cun": 2.0,
                  "surface": "posterior", "side": "bilateral",
                  "description": "The flank between the top of the iliac crest and the free end of the twelfth rib, lateral to the erector spinae."}),
    massage("massage_abdominals", "Gentle abdominal wall kneading", ["rectus_abdominis", "external_oblique"],
            "Lying on the back, knees bent over a pillow.",
            ["Lift and knead the abdominal wall gently beside the midline and over the flanks.",
             "Clockwise broad strokes to finish."],
            "circular", "light", (3, 5),
            ["Lie with knees bent and knead the belly muscles gently with both hands for 1 to 2 minutes."],
            ["travell1992", "batavia2004"], ["pregnancy_abdomen", "organs_abdomen", "skin_massage"],
            surface="anterior", zone_text="The front and side of the abdominal wall between the ribs and the pelvis."),
    massage("massage_iliopsoas", "Iliacus and psoas release", ["psoas_major", "iliacus"],
            "Lying on the back, knees bent and supported.",
            ["For iliacus: fingertips curl over the inside of the front of the iliac crest.",
             "For psoas: slow, gentle sinking beside the rectus abdominis at navel level, stopping at any pulse."],
            "static", "light", (3, 5), [], ["travell1992"],
            ["organs_abdomen", "groin", "pregnancy_abdomen"], surface="anterior", self_allowed=False,
            why_not="Reached through the abdomen near large vessels; leave it to a trained practitioner.",
            zone_text="The inner face of the iliac crest behind the anterior superior iliac spine, and the abdomen beside rectus abdominis."),
    massage("massage_gluteal", "Buttock kneading and pressure",
            ["gluteus_maximus", "gluteus_medius", "gluteus_minimus", "piriformis", "tensor_fasciae_latae"],
            "Lying face down or on the side, a pillow between the knees.",
            ["Broad kneading of the buttock with the palm or forearm.",
             "Sustained pressure below the iliac crest (medius, minimus), then on the line from sacrum to greater trochanter (piriformis)."],
            "static", "firm", (8, 15),
            [BALL_WALL.format(where="your buttock"),
             "Or sit on the ball on a firm chair; move off if it sends tingling down the leg."],
            ["travell1992"], ["radiating", "skin_massage", "pregnancy_prone", "anticoagulants_massage"],
            zone_text="The buttock from the iliac crest to the gluteal fold, out to the greater trochanter and the front of the hip (tensor fasciae latae)."),
    massage("massage_quadriceps", "Front-of-thigh strokes",
            ["rectus_femoris", "vastus_lateralis", "vastus_medialis", "vastus_intermedius", "sartorius"],
            "Lying on the back, a pillow under the knees.",
            ["Long strokes from above the kneecap up toward the hip, then kneading of each side of the thigh."],
            "caudal_to_cranial", "moderate", (5, 10),
            ["Sit and knead the front of your thigh with both hands, knee to hip, for 2 minutes."],
            ["travell1992"], ["varicose", "skin_massage", "acute_massage"], surface="anterior",
            zone_text="The front of the thigh from the kneecap to the hip crease."),
    massage("massage_adductors", "Inner thigh kneading", ["adductor_longus", "gracilis"],
            "Lying on the back, the leg bent and turned out on a pillow.",
            ["Knead the inner thigh from the knee upward, staying below the groin."],
            "caudal_to_cranial", "moderate", (3, 5),
            ["Sit with one knee bent out and knead your inner thigh from knee upward, well below the groin."],
            ["travell1992"], ["groin", "varicose", "skin_massage"], surface="medial",
            zone_text="The inner thigh from the medial knee to a hand's breadth below the groin."),
    massage("massage_hamstrings", "Back-of-thigh strokes", ["biceps_femoris", "semitendinosus", "semimembranosus"],
            "Lying face down, a pillow under the ankles.",
            ["Long strokes from above the knee to the buttock, then kneading of the inner and outer hamstrings."],
            "caudal_to_cranial", "moderate", (5, 10),
            ["Sit on a firm chair with a ball under the back of the thigh and move the leg slowly."],
            ["travell1992"], ["knee_back", "varicose", "skin_massage"],
            zone_text="The back of the thigh from the ischial tuberosity to just above the knee crease."),
    massage("massage_calf", "Calf strokes and kneading", ["gastrocnemius", "soleus", "tibialis_posterior"],
            "Lying face down, ankles on a pillow.",
            ["Strokes from the heel toward the knee, then kneading of both heads of the calf.",
             "Deeper thumb pressure along the inner edge of the shin bone for soleus and tibialis posterior."],
            "caudal_to_cranial", "moderate", (5, 10),
            ["Sit and cross one leg over the other; knead the calf from ankle to knee for 2 minutes."],
            ["travell1992"], ["varicose", "knee_back", "skin_massage"],
            zone_text="The calf from the Achilles tendon to below the knee crease, and the inner border of the tibia."),
    massage("massage_shin", "Shin and outer leg strokes",
            ["tibialis_anterior", "extensor_hallucis_longus", "extensor_digitorum_longus", "fibularis_longus"],
            "Lying on the back.",
            ["Thumb strokes from the ankle up beside the shin bone, and up the outer leg to the fibular head."],
            "caudal_to_cranial", "moderate", (3, 5),
            ["Sit and glide your thumbs up the muscle beside your shin bone from ankle to knee, 5 to 10 times."],
            ["travell1992"], ["varicose", "skin_massage"], surface="anterior",
            zone_text="The front and outer side of the lower leg, beside the tibia and over the fibula."),
]


# ---------------------------------------------------------------------------------------------
# acupressure at points a patient can reach

def acupressure(id_, name, codes, position, steps, self_steps, where, surface="posterior", extra=()):
    return {"id": id_, "kind": "acupressure", "name": name, "codes": codes, "position": position,
            "steps": steps, "self_steps": self_steps, "where": where, "surface": surface, "extra": list(extra)}


ACUPRESSURE = [
    acupressure("acupressure_gb20", "Pressure under the base of the skull", ["GB20"], "Sitting, or lying on the back.",
                ["Thumbs or fingertips in the hollows under the skull, between the two long neck muscles.",
                 "Press up and slightly in toward the opposite eye, gently."],
                ["Put your thumbs in the hollows under the back of your skull.",
                 "Press upward gently, breathing slowly, for 1 to 2 minutes."],
                "The hollows below the occiput either side of the neck.", extra=["radiating_arm"]),
    acupressure("acupressure_gb21", "Pressure on the top of the shoulder", ["GB21"], "Sitting.",
                ["Press straight down on the top of the shoulder, midway between the neck and the shoulder tip."],
                ["Reach across with the middle finger of the opposite hand to the top of your shoulder, halfway out.",
                 "Press down firmly but comfortably for 1 minute."],
                "The top of the shoulder, midway from C7 to the acromion.", surface="superior"),
    acupressure("acupressure_si11", "Pressure on the middle of the shoulder blade", ["SI11"], "Sitting or lying face down.",
                ["Thumb pressure in the centre of the flat of the shoulder blade."],
                ["Lean against a wall with a tennis ball on the middle of your shoulder blade for 1 to 2 minutes."],
                "The centre of the infraspinous fossa."),
    acupressure("acupressure_li4", "Pressure in the web of the thumb", ["LI4"], "Sitting.",
                ["Thumb pressure on the back of the hand between the first and second metacarpals, toward the second."],
                ["Squeeze the web between your thumb and first finger, pressing toward the bone of the first finger.",
                 "1 minute each hand."],
                "The back of the hand between the first and second metacarpal bones.", surface="dorsal"),
    acupressure("acupressure_li10_li11", "Pressure at the outer elbow", ["LI10", "LI11"], "Sitting, elbow bent.",
                ["Pressure at the end of the elbow crease on the thumb side (LI11), then 2 cun further down the forearm (LI10)."],
                ["Bend your elbow; press at the outer end of the crease, then two thumb widths lower.",
                 "Hold each for 1 minute."],
                "The thumb side of the elbow and upper forearm.", surface="lateral"),
    acupressure("acupressure_si3_te5", "Pressure at the edge of the hand and the back of the wrist", ["SI3", "TE5"], "Sitting.",
                ["SI3: on the little-finger edge of the hand behind the knuckle, in the crease of a loose fist.",
                 "TE5: 2 cun above the back of the wrist crease, between the two forearm bones."],
                ["Make a loose fist; press the end of the crease on the little-finger side for 1 minute.",
                 "Then press the back of the forearm three fingers above the wrist, between the bones."],
                "The ulnar edge of the hand and the back of the distal forearm.", surface="dorsal"),
    acupressure("acupressure_low_back_shu", "Pressure beside the low back", ["BL23", "BL25"],
                "Lying face down, or standing with the hands on the low back.",
                ["Thumb pressure 1.5 cun either side of the spine, level with the lower border of L2 (BL23) and L4 (BL25).",
                 "Lean in slowly; hold while the patient breathes out."],
                ["Stand and put your fists on your low back either side of the spine, level with your waist and a little lower.",
                 "Rub or press in slow circles for 1 to 2 minutes."],
                "The low back 1.5 cun from the midline at the L2 and L4 levels.", extra=["over_spine_massage"]),
    acupressure("acupressure_gb30", "Pressure in the side of the buttock", ["GB30"], "Lying on the side, upper hip and knee bent.",
                ["Elbow or thumb pressure one third of the way from the greater trochanter to the sacral hiatus."],
                ["Lie on your back with a tennis ball under the side of your buttock, behind the hip bone.",
                 "Rest on it for 1 minute; move off if the leg tingles."],
                "The buttock between the greater trochanter and the sacrum.", extra=["radiating"]),
    acupressure("acupressure_bl40_bl57", "Pressure behind the knee and in the calf", ["BL40", "BL57"], "Lying face down, or sitting.",
                ["BL40: light pressure only, at the middle of the knee crease.",
                 "BL57: firmer, where the calf's two heads part below the belly of the calf."],
                ["Sit and press lightly in the middle of the crease behind your knee for 30 seconds; never hard.",
                 "Then press the middle of your calf, where it dips below the bulge, for 1 minute."],
                "The back of the knee and the middle of the calf."),
    acupressure("acupressure_gb34_st36", "Pressure below the outer knee", ["GB34", "ST36"], "Sitting.",
                ["GB34: in the hollow in front of and below the head of the fibula.",
                 "ST36: 3 cun below the outer knee eye, one finger breadth from the front of the shin."],
                ["Find the knob on the outside of the leg below the knee; press in the hollow just in front of and below it for 1 minute.",
                 "Then four finger widths below the kneecap, just outside the shin bone, for 1 minute."],
                "The outer side of the leg below the knee.", surface="lateral"),
    acupressure("acupressure_sp6", "Pressure above the inner ankle", ["SP6"], "Sitting.",
                ["Thumb pressure behind the inner edge of the tibia, 3 cun above the tip of the medial malleolus."],
                ["Put four fingers above your inner ankle bone; press just behind the shin bone at the top finger, 1 minute."],
                "The inner lower leg above the ankle.", surface="medial"),
    acupressure("acupressure_bl60_ki3", "Pressure beside the heel cord", ["BL60", "KI3"], "Sitting with the foot on the other knee.",
                ["Pinch the hollows either side of the Achilles tendon between the ankle bones and the tendon."],
                ["Pinch gently in the hollows either side of your heel cord, level with the ankle bones, for 1 minute."],
                "The hollows between the malleoli and the Achilles tendon.", surface="lateral"),
    acupressure("acupressure_lr3", "Pressure on the top of the foot", ["LR3"], "Sitting.",
                ["Pressure on the top of the foot in the hollow where the first and second metatarsals meet."],
                ["Slide a finger up from between your big and second toes until it stops in a hollow; press for 1 minute."],
                "The top of the foot between the first and second metatarsals.", surface="dorsal"),
]

ACUPRESSURE_SOURCES = ["who2008", "deadman2007", "gach1990"]


def acupressure_records(points: dict) -> list[dict]:
    out = []
    for a in ACUPRESSURE:
        muscles = list(dict.fromkeys(m for c in a["codes"] for m in points[c]["muscles"]))
        levels_ = list(dict.fromkeys(points[c]["segment"] for c in a["codes"]
                                     if points[c]["segment"] and points[c]["segment"][0] in "CTL"))
        cauts = cautions("skin_massage", *a["extra"])
        pregnancy = [c for c in a["codes"] if any(x["kind"] == "pregnancy" for x in points[c]["cautions"])]
        if pregnancy:
            cauts.append({"kind": "pregnancy",
                          "text": f"Traditionally avoided in pregnancy: {', '.join(pregnancy)}. Leave "
                                  f"{'this point' if len(pregnancy) == 1 else 'these points'} out if there is any chance of pregnancy.",
                          "sources": ["deadman2007"]})
        close = [x for c in a["codes"] for x in points[c]["cautions"] if x["kind"] in ("major_vessel", "nerve")]
        if close:
            # the anatomy is that of the points' own cautions: cite their sources
            cauts.append({"kind": "nerve_or_artery",
                          "text": "A vessel or nerve runs close under this point: press slowly, and ease off at a pulse, "
                                  "tingling or sharp pain.",
                          "sources": list(dict.fromkeys(s for x in close for s in x["sources"]))})
        srcs = [*ACUPRESSURE_SOURCES, *(["hsieh2006"] if "BL23" in a["codes"] else [])]
        out.append({
            "id": a["id"], "kind": "acupressure", "name": a["name"], "muscles": muscles, "levels": levels_,
            "zone": {"rule": "points", "points": a["codes"], "surface": a["surface"], "side": "bilateral",
                     "description": f"{a['where'].rstrip('.')}, at {' and '.join(a['codes'])}."},
            "how": {"position": a["position"], "steps": a["steps"], "direction": "static", "movement": None,
                    "pressure": "moderate" if "BL40" not in a["codes"] else "light", "hold_s": [30, 120],
                    "duration_min": None, "repetitions": "2 to 3 times per point, both sides",
                    "cup_size": None, "cups": None},
            "self_care": {"allowed": True, "steps": a["self_steps"], "why_not": None},
            "cautions": cauts,
            "sources": srcs,
        })
    return out


# ---------------------------------------------------------------------------------------------
# cupping and gua sha over the back and hips

CUP_SOURCES = ["chirali2014", "cao2012"]
SCRAPE_SOURCES = ["nielsen2013", "nielsen2007"]

PARASPINAL_REGIONS = [
    # (first, last, muscles under the lines besides multifidus and the erector columns, words)
    ("T1", "T4", ["trapezius_middle", "rhomboid_minor", "rhomboid_major", "spinalis", "semispinalis_thoracis"],
     "upper thoracic", "between the shoulder blades, from the base of the neck down to the level of the scapular spine"),
    ("T5", "T8", ["trapezius_lower", "rhomboid_major", "spinalis", "semispinalis_thoracis", "latissimus_dorsi"],
     "mid-thoracic", "from the level of the scapular spine to the lower angle of the shoulder blade"),
    ("T9", "T12", ["trapezius_lower", "latissimus_dorsi", "spinalis"],
     "lower thoracic", "from below the shoulder blades to the lowest ribs"),
    ("L1", "L5", [], "lumbar", "from the lowest ribs to the top of the pelvis"),
]


def paraspinal_muscles(first: str, last: str, extra: list[str]) -> list[str]:
    return list(dict.fromkeys([*extra, "iliocostalis", "longissimus", *mf(first, last)]))


def cupping_records() -> list[dict]:
    out = []
    cup_counts = {"T1": 2, "T5": 2, "T9": 2, "L1": 3}
    for first, last, extra, label, words in PARASPINAL_REGIONS:
        cauts = ["anticoagulants_surface", "skin", "over_spine_cups", "fever"]
        if first == "L1":
            cauts.append("pregnancy_low_back_cups")
        out.append({
            "id": f"cupping_{first}_{last}".lower(), "kind": "cupping",
            "name": f"Stationary cups beside the {label} spine ({first}-{last})",
            "muscles": paraspinal_muscles(first, last, extra), "levels": levels(first, last),
            "zone": {"rule": "paraspinal", "from_level": first, "to_level": last,
                     "lines": ["bladder_inner", "bladder_outer"], "surface": "posterior", "side": "bilateral",
                     "description": f"Both sides of the spine {words}, cups centred on the bladder inner (1.5 cun) and outer (3 cun) lines."},
            "how": {"position": "Lying face down, or sitting leaning forward onto a pillow on a table.",
                    "steps": ["Place the cups in a column on each side, rims clear of the spinous processes.",
                              "Light to moderate suction: the skin rises a few millimetres into the cup.",
                              "Remove by pressing the skin beside the rim to let air in; never pull a cup off."],
                    "direction": "static", "movement": None, "pressure": None, "hold_s": None,
                    "duration_min": [5, 10], "repetitions": "Once per session; not again on the same marks until they fade.",
                    "cup_size": "medium", "cups": cup_counts[first]},
            "self_care": {"allowed": False, "steps": [],
                          "why_not": "The cups sit on the back where the person cannot see or reach them; a practitioner applies and removes them."},
            "cautions": cautions(*cauts),
            "sources": CUP_SOURCES,
        })
    out.append({
        "id": "cupping_sliding_t1_l5", "kind": "cupping", "name": "Sliding cup along the back (T1-L5)",
        "muscles": paraspinal_muscles("T1", "L5", ["trapezius_middle", "trapezius_lower", "rhomboid_major", "rhomboid_minor", "spinalis"]),
        "levels": levels("T1", "L5"),
        "zone": {"rule": "paraspinal", "from_level": "T1", "to_level": "L5", "lines": ["bladder_inner"],
                 "surface": "posterior", "side": "bilateral",
                 "description": "Strips along the bladder inner line each side, from T1 to L5."},
        "how": {"position": "Lying face down.",
                "steps": ["Oil the skin; apply one cup with light suction at the top of the line.",
                          "Glide it slowly down the line to L5 and back up, keeping the rim sealed.",
                          "Stop on a strip once it turns evenly pink."],
                "direction": "cranial_to_caudal", "movement": None, "pressure": None, "hold_s": None,
                "duration_min": [3, 8], "repetitions": "5 to 10 passes per side", "cup_size": "medium", "cups": 1},
        "self_care": {"allowed": False, "steps": [], "why_not": "Done by a practitioner on the back."},
        "cautions": cautions("anticoagulants_surface", "skin", "over_spine_cups", "pregnancy_low_back_cups", "osteoporosis_pressure"),
        "sources": CUP_SOURCES,
    })
    big = [
        ("cupping_upper_back_trapezius", "Cups over the upper trapezius", ["trapezius_upper", "trapezius_middle"],
         {"rule": "muscle_belly", "muscles": ["trapezius_upper", "trapezius_middle"], "surface": "posterior",
          "side": "bilateral", "description": "The upper and middle trapezius between the neck, the shoulder tip and the upper shoulder blade."},
         "small", 2, "Sitting, leaning forward onto a pillow."),
        ("cupping_latissimus", "Cups along latissimus dorsi", ["latissimus_dorsi", "teres_major"],
         {"rule": "muscle_belly", "muscles": ["latissimus_dorsi", "teres_major"], "surface": "lateral",
          "side": "bilateral", "description": "The side of the back from below the armpit down toward the waist."},
         "medium", 3, "Lying on the side, upper arm overhead."),
        ("cupping_flank", "Cups in the flank", ["quadratus_lumborum"],
         {"rule": "between", "landmark": "iliac_crest_top", "toward": "rib12_free_end", "width_cun": 2.0,
          "surface": "posterior", "side": "bilateral",
          "description": "Between the iliac crest and the twelfth rib, lateral to the erector spinae."},
         "medium", 1, "Lying face down, or on the side with a pillow under the waist."),
        ("cupping_gluteal", "Cups over the buttock", ["gluteus_maximus", "gluteus_medius", "piriformis"],
         {"rule": "muscle_belly", "muscles": ["gluteus_maximus", "gluteus_medius"], "surface": "posterior",
          "side": "bilateral", "description": "The upper outer buttock below the iliac crest, and the centre of the buttock over piriformis."},
         "large", 3, "Lying face down with a pillow under the pelvis."),
    ]
    for id_, name, muscles, zone, size, n, position in big:
        cauts = ["anticoagulants_surface", "skin", "acute_cups"]
        if id_ in ("cupping_flank", "cupping_gluteal"):
            cauts.append("pregnancy_low_back_cups")
        out.append({
            "id": id_, "kind": "cupping", "name": name, "muscles": muscles, "levels": [], "zone": zone,
            "how": {"position": position,
                    "steps": ["Place the cups on the thickest part of the muscle with moderate suction.",
                              "Leave them while the patient rests; check the skin colour after a few minutes."],
                    "direction": "static", "movement": None, "pressure": None, "hold_s": None,
                    "duration_min": [5, 10], "repetitions": "Once per session.", "cup_size": size, "cups": n},
            "self_care": {"allowed": False, "steps": [], "why_not": "Applied and removed by a practitioner."},
            "cautions": cautions(*cauts),
            "sources": CUP_SOURCES,
        })
    return out


def gua_sha_records() -> list[dict]:
    out = []
    regions = [("T1", "T6", "upper back", "from the base of the neck to the lower third of the shoulder blades"),
               ("T7", "T12", "lower thoracic back", "from the lower angle of the shoulder blades to the last ribs"),
               ("L1", "L5", "low back", "from the last ribs to the top of the pelvis")]
    extras = {"T1": ["trapezius_middle", "rhomboid_minor", "rhomboid_major", "spinalis", "semispinalis_thoracis"],
              "T7": ["trapezius_lower", "latissimus_dorsi", "spinalis"], "L1": []}
    for first, last, label, words in regions:
        cauts = ["anticoagulants_surface", "skin", "over_spine_scrape", "osteoporosis_pressure"]
        out.append({
            "id": f"gua_sha_{first}_{last}".lower(), "kind": "gua_sha",
            "name": f"Gua sha beside the spine, {label} ({first}-{last})",
            "muscles": paraspinal_muscles(first, last, extras[first]), "levels": levels(first, last),
            "zone": {"rule": "paraspinal", "from_level": first, "to_level": last,
                     "lines": ["bladder_inner", "bladder_outer"], "surface": "posterior", "side": "bilateral",
                     "description": f"Strips along the bladder inner and outer lines, {words}."},
            "how": {"position": "Lying face down, or sitting leaning forward.",
                    "steps": ["Oil the skin. Hold a smooth-edged tool at about 30 to 45 degrees to the skin.",
                              "Short strokes, each 10 to 15 cm, downward along each line, overlapping.",
                              "Stop a strip when light red speckles (sha) appear or the colour stops changing; the skin is never broken."],
                    "direction": "cranial_to_caudal", "movement": None, "pressure": "moderate", "hold_s": None,
                    "duration_min": [5, 10], "repetitions": "10 to 20 strokes per strip; not again until the marks fade (usually 2 to 4 days)",
                    "cup_size": None, "cups": None},
            "self_care": {"allowed": False, "steps": [], "why_not": "The strokes run over the back, out of the person's own reach and sight."},
            "cautions": cautions(*cauts),
            "sources": SCRAPE_SOURCES,
        })
    big = [
        ("gua_sha_neck_shoulder", "Gua sha from the neck to the shoulder", ["trapezius_upper", "levator_scapulae"],
         {"rule": "between", "landmark": "mastoid_process", "toward": "acromion", "width_cun": 1.5,
          "surface": "posterior", "side": "bilateral",
          "description": "A band over the upper trapezius from below the mastoid process out to the acromion."},
         "lateral_to_medial", True,
         ["Rub a little oil on the top of your shoulder.",
          "With the smooth edge of a spoon or gua sha tool, stroke from the side of the neck out to the shoulder, 10 to 15 times.",
          "Light pressure: the skin may go pink or speckled; it should not hurt and must never bleed."],
         "Sitting, head tipped slightly away."),
        ("gua_sha_scapular", "Gua sha over the shoulder blade",
         ["trapezius_middle", "trapezius_lower", "rhomboid_major", "infraspinatus"],
         {"rule": "muscle_belly", "muscles": ["trapezius_middle", "trapezius_lower", "rhomboid_major", "infraspinatus"],
          "surface": "posterior", "side": "bilateral",
          "description": "Over and beside the shoulder blade, strokes downward and outward."},
         "medial_to_lateral", False, [], "Lying face down."),
        ("gua_sha_lateral_back", "Gua sha down the side of the back", ["latissimus_dorsi", "quadratus_lumborum"],
         {"rule": "muscle_belly", "muscles": ["latissimus_dorsi", "quadratus_lumborum"], "surface": "lateral",
          "side": "bilateral", "description": "From below the armpit down the side of the back to the iliac crest."},
         "cranial_to_caudal", False, [], "Lying on the side, upper arm overhead."),
        ("gua_sha_gluteal", "Gua sha over the buttock", ["gluteus_maximus", "gluteus_medius"],
         {"rule": "muscle_belly", "muscles": ["gluteus_maximus", "gluteus_medius"], "surface": "posterior",
          "side": "bilateral", "description": "From the iliac crest down over the upper buttock, following the fibres toward the greater trochanter."},
         "along_fibres", False, [], "Lying face down."),
    ]
    for id_, name, muscles, zone, direction, self_ok, self_steps, position in big:
        cauts = ["anticoagulants_surface", "skin"]
        if id_ == "gua_sha_lateral_back":
            cauts.append("osteoporosis_pressure")
        out.append({
            "id": id_, "kind": "gua_sha", "name": name, "muscles": muscles, "levels": [], "zone": zone,
            "how": {"position": position,
                    "steps": ["Oil the skin and stroke with a smooth-edged tool in one direction, overlapping strips.",
                              "Press enough to move the skin over the muscle; stop a strip when sha appears or the colour stops changing."],
                    "direction": direction, "movement": None, "pressure": "moderate", "hold_s": None,
                    "duration_min": [3, 8], "repetitions": "10 to 20 strokes per strip",
                    "cup_size": None, "cups": None},
            "self_care": {"allowed": self_ok, "steps": self_steps,
                          "why_not": None if self_ok else "Out of the person's own reach; done by a practitioner."},
            "cautions": cautions(*cauts),
            "sources": SCRAPE_SOURCES,
        })
    return out


EXPLANATIONS = [
    {"id": "stretch_with_paraspinal", "audience": "patient",
     "title": "Why stretch the sore muscle and treat the back as well",
     "text": "Each muscle is worked by nerves that leave the spine at a few particular levels. When a muscle "
             "stays tight and sore, the small muscles beside the spine at those levels are often tight too, and "
             "the two can keep each other going. Stretching the sore muscle eases it where you feel it; massage, "
             "pressure, cups or scraping beside the spine at its levels ease the other end of the same nerve "
             "pathway. Doing both in the same week gives each a better chance to last.",
     "sources": ["gray42", "bogduk2005", "travell1992"]},
    {"id": "between_sessions", "audience": "patient",
     "title": "Between sessions",
     "text": "The stretches and pressure points marked for home are gentle on purpose. A stretch should pull, "
             "never hurt; hold it while breathing slowly and never bounce. Stop anything that makes pain spread, "
             "tingle or grow, and tell your practitioner at the next visit.",
     "sources": ["page2012", "garber2011"]},
]


def build() -> dict:
    points = {r["code"]: r for r in json.loads((ROOT / "assets" / "points.json").read_text(encoding="utf-8"))["points"]}
    records = [*STRETCHES, *MASSAGES, *acupressure_records(points), *cupping_records(), *gua_sha_records()]
    return {
        "version": "1.0",
        "description": "Manual techniques beside the needle: massage, acupressure, stretching, cupping and gua sha. "
                       "Written by scripts/make_techniques.py; prose in our own words; every record and caution cites sources.",
        "explanations": EXPLANATIONS,
        "techniques": records,
    }


def main(argv: list[str]) -> int:
    text = json.dumps(build(), indent=1, ensure_ascii=False) + "\n"
    if "--check" in argv:
        same = OUT.is_file() and OUT.read_text(encoding="utf-8") == text
        print("techniques.json is up to date" if same else "techniques.json differs from scripts/make_techniques.py")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({len(build()['techniques'])} techniques)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
