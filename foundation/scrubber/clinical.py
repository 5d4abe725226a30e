"""Clinical vocabulary the name detector must never mask, even where a census list holds the word as a name.

Lower case; a hyphenated entry guards the whole word ("winston-lutz") and the guard is checked on each part of a
hyphenated word too.  Many entries are real surnames or first names (Gleason, Foley, Beam, Field, Couch, Head,
Varian, Aria, May): in a safety narrative they are almost always the clinical thing.  Only a title right before
the word ("Dr. Foley") overrides the guard.
"""

from __future__ import annotations

_VENDORS_PRODUCTS = """
varian elekta accuray eclipse pinnacle raystation raysearch mosaiq aria qfix klarity halcyon truebeam tomo tomotherapy
cyberknife ethos unity mridian viewray radixact brainlab exactrac alignrt visionrt vision calypso sun nuclear arccheck
mapcheck mobius mobius3d radcalc dosecheck suncheck perfraction velocity mim epic cerner siemens philips canon toshiba
somatom brilliance optima discovery medtronic biotronik jude boston scientific xoft flexitron gammamed
microselectron oncentra brachyvision monaco xvi iview trilogy clinac novalis synergy versa infinity agility leksell
gamma knife icon perfexion octavius delta4 ptw iba cirs civco orfit bionix vac-lok vaclok cradle accuform mammosite
savi contura xofigo lutathera pluvicto edge ge nucletron theratronics eckert ziegler c-rad sectra impax epiq bard
smit utrecht venezia geneva capri freiburg fletcher suit delclos syed henschke miami heyman rotte
portal dosimetry ois emr ehr powerchart dragon citrix vmware windows outlook teams zoom excel word pdf gafchromic
ebt3 ebt xrv tld osld mosfet diode exradin keithley supermax unidos tomodose profiler catphan
leeds lasvegas las vegas isocal qckv qcmv pipspro doselab sncradcalc compass dolphin matrixx mapphan vidar
electa truebeam2 halcyon2 ethos2 linac linacs tomohd hi-art hdr ldr iort intrabeam zeiss mevion protons proteus
hitachi probeat iba ion pencil
"""
_EPONYMS = """
gleason foley hodgkin hodgkins non-hodgkin wilms ewing ewings karnofsky ecog winston-lutz lutz bragg monte carlo
clarkson cherenkov pancoast merkel kaposi hurthle lhermitte crohn crohns parkinson parkinsons alzheimer alzheimers
cushing hashimoto whipple trendelenburg valsalva hounsfield sievert kaplan meier kaplan-meier pap
papanicolaou burkitt burkitts waldenstrom reed-sternberg breslow mohs krukenberg virchow paget pagets schwann
langerhans horner lambert-eaton epstein-barr hippel-lindau li-fraumeni nottingham bloom-richardson arbor lugano
ki-67 manchester paterson quimby fletcher fletcher-suit fletcher-suit-delclos curie roentgen rontgen becquerel
mayneord lugol lugols gram ziehl apgar child-pugh meld rtog ctcae oncotype mammaprint prosigna decipher
foundationone guardant tempus caris
"""
_DRUGS = """
dexamethasone decadron ondansetron zofran temozolomide temodar cisplatin carboplatin paclitaxel taxol docetaxel
taxotere capecitabine xeloda fluorouracil keytruda pembrolizumab opdivo nivolumab durvalumab imfinzi lidocaine
xylocaine silvadene aquaphor mepitel mepilex morphine lorazepam ativan compazine prochlorperazine lasix furosemide
coumadin warfarin eliquis apixaban xarelto rivaroxaban plavix clopidogrel metformin insulin benadryl
diphenhydramine prednisone medrol methylprednisolone keppra levetiracetam tylenol acetaminophen miralax imodium
loperamide neulasta herceptin trastuzumab tamoxifen anastrozole arimidex letrozole femara lupron leuprolide zoladex
goserelin xgeva denosumab zometa ensure sucralfate carafate flomax tamsulosin oxycodone percocet hydrocodone norco
gabapentin neurontin lyrica pregabalin fentanyl dilaudid hydromorphone emend aprepitant marinol dronabinol biafine
domeboro hydrocortisone cortisone zyprexa olanzapine reglan metoclopramide ativan xanax alprazolam valium diazepam
ambien zolpidem protonix pantoprazole omeprazole prilosec nexium pepcid famotidine zantac senna colace docusate
dulcolax bisacodyl lomotil nystatin fluconazole diflucan magic mouthwash caphosol gelclair amifostine ethyol
pentoxifylline trental vitamin hyperbaric avastin bevacizumab erbitux cetuximab gemzar gemcitabine etoposide
cyclophosphamide doxorubicin adriamycin vincristine rituxan rituximab mitomycin irinotecan oxaliplatin folfox
folfiri leucovorin zytiga abiraterone xtandi enzalutamide erleada apalutamide casodex bicalutamide firmagon
degarelix orgovyx relugolix radium-223 lutetium-177 iodine-131 strontium samarium quadramet metastron azedra
aspirin ibuprofen advil motrin naproxen aleve heparin lovenox enoxaparin lipitor atorvastatin lisinopril
amlodipine norvasc metoprolol lopressor toprol losartan cozaar hydrochlorothiazide synthroid levothyroxine
glucophage januvia jardiance ozempic trulicity humalog lantus novolog solu-medrol toradol ketorolac narcan naloxone
versed midazolam propofol ketamine lidoderm emla betadine chlorhexidine hibiclens bacitracin neosporin mupirocin
bactroban keflex cephalexin cipro ciprofloxacin levaquin levofloxacin augmentin amoxicillin zithromax azithromycin
bactrim vancomycin flagyl metronidazole doxycycline valtrex acyclovir tamiflu saline contrast omnipaque isovue
visipaque gadolinium gadavist dotarem magnevist barium gastrografin readi-cat
"""
_ANATOMY = """
head neck chest hand hands foot feet arm arms leg legs hip hips knee knees back bone bones lung lungs liver heart
brain spine skin lip lips tongue eye eyes ear ears nose breast breasts rectum colon prostate bladder cervix uterus
vulva vagina penis scrotum testis testes kidney kidneys pancreas stomach esophagus larynx pharynx tonsil parotid
thyroid orbit lens cord cauda equina sacrum coccyx pelvis femur humerus rib ribs sternum clavicle scapula skull
mandible maxilla jaw shoulder elbow wrist ankle heel toe finger thumb abdomen belly groin axilla flank buttock
gluteal perineum anus bowel duodenum jejunum ileum cecum sigmoid appendix gallbladder spleen adrenal ovary ovaries
brainstem cochlea chiasm optic hippocampus pituitary cerebellum temporal frontal parietal occipital mastoid
sinus nasopharynx oropharynx hypopharynx glottis trachea bronchus carina mediastinum pleura pericardium aorta
vena cava iliac inguinal femoral popliteal tibia fibula radius ulna vertebra vertebrae lumbar thoracic cervical
sacral ischium pubis symphysis acetabulum lobe node nodes nodal hilum apex base dome fundus body tail neck
"""
_WORKFLOW = """
plan plans beam beams field fields couch vault gantry mask bolus sim iso shift shifts fraction fractions dose doses
tattoo tattoos timeout time-out physics physicist physicists dosimetry dosimetrist dosimetrists therapy therapist
therapists nursing nurse nurses radiology oncology radiation scheduling registration transport billing chart rounds
peer review qa qc rso rtt rn md do np pa cmd dmp pt ot st ed er icu or iv po prn bid tid qid qd npo dnr poa hcp id
dob mrn ssn fx tx hx sx rx dx ca ned awd ct mr mri pet cbct kv mv imrt vmat sbrt sabr srs srt hdr ldr igrt dibh
tps mlc dvh ptv ctv gtv itv oar tg aapm astro acr nrc ncrp icru iec iso cfr jcaho tjc safron roils ro-ils
linac linacs cone cones applicator applicators cylinder tandem ovoid ovoids ring needle needles catheter catheters
seed seeds source sources wedge wedges block blocks cutout cutouts compensator collimator jaw jaws leaf leaves
arc arcs isocenter isocentre laser lasers monitor chamber electrometer phantom film diode survey meter
attending resident fellow fellows physician physicians doctor oncologist oncologists radiologist surgeon
navigator coordinator scheduler receptionist registrar technologist tech techs engineer engineers service
biomed housekeeping security pharmacy pharmacist lab laboratory pathology cardiology anesthesia anesthesiologist
urology gyn gynecology ent neurology neurosurgery hospice palliative rehab admin manager director supervisor
department dept clinic hospital center centre unit floor room suite bay desk front office station team staff
monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun
january february march april may june july august september october november december jan feb mar apr jun jul
aug sep sept oct nov dec
gy cgy mgy mu mv kv mev kev mm cm ml cc mg mcg kg lb lbs hu min mins sec secs hr hrs ms us mr mrem rem sv msv usv
bq mbq gbq ci mci uci dpm cpm percent deg degree degrees
fff ffF xrt ebrt proton protons photon photons electron electrons neutron brachy brachytherapy hyperthermia
prostate pelvis lung breast brain spine bone liver head neck
standard imaging nuclear scientific edge rapidarc rapid arc smart sharp hyper hypo boost cone-down
ki her pr er her2 brca egfr alk pd-l1 pdl1 msi tmb psa cea ca-125 afp ldh cbc bmp cmp inr ptt hgb wbc anc plt
ecog kps kps70 gcs
"""
_NOT_NAMES = """
patient patients pt pts mr mrs ms miss dr prof the this that these those
"""

PRODUCTS: frozenset[str] = frozenset(_VENDORS_PRODUCTS.split())
GUARD: frozenset[str] = frozenset(
    word for block in (_VENDORS_PRODUCTS, _EPONYMS, _DRUGS, _ANATOMY, _WORKFLOW, _NOT_NAMES) for word in block.split()
)
